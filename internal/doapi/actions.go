package doapi

// ActionErrored is the status of an action that failed; godo names the
// other two (godo.ActionInProgress, godo.ActionCompleted) but not this one.
const ActionErrored = "errored"
