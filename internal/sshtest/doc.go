// Package sshtest holds what tests across the repository share. Above all it
// runs a real OpenSSH sshd on loopback, so that code which talks to servers
// over SSH is tested against the server it will meet on a droplet rather
// than against a simulation of one; beside it are key files, an ssh-agent,
// output a test can wait for, and waiting for a process to end.
//
// It must not import internal/remote, whose tests use it.
package sshtest
