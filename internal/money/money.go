// Package money holds the sums of US dollars the tool works out itself (a
// droplet's cost so far, an image's storage, an install's cost), whose JSON
// is written to the cent as every table writes them: an image of 1.87 GB at
// $0.06 per GB-month would otherwise be 0.11220000000000001. Prices that
// DigitalOcean states (a size's price_monthly and price_hourly) are its own
// figures and are passed on unchanged as float64.
package money

import (
	"math"
	"strconv"
)

// Dollars is a sum of US dollars.
type Dollars float64

// MarshalJSON writes d as a JSON number rounded to the cent.
func (d Dollars) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, math.Round(float64(d)*100)/100, 'f', -1, 64), nil
}
