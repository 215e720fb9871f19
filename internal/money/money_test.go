package money

import (
	"encoding/json"
	"testing"
)

func TestDollarsJSONIsCents(t *testing.T) {
	for d, want := range map[Dollars]string{
		1.87 * 0.06:         "0.11", // 0.11220000000000001 as a float64
		0:                   "0",
		6:                   "6",
		0.02679:             "0.03",
		0.125:               "0.13",
		12345.675 + 0.00001: "12345.68",
	} {
		got, err := json.Marshal(struct {
			V Dollars `json:"v"`
		}{d})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != `{"v":`+want+`}` {
			t.Errorf("JSON of %v = %s, want %s", float64(d), got, want)
		}
	}
}
