package models

import (
	"fmt"
	"time"
)

// dammTable is the quasigroup of the Damm check-digit algorithm, which catches every single-digit
// error and every swap of adjacent digits: the typing mistakes people make on a phone keypad.
var dammTable = [10][10]byte{
	{0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
	{7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
	{4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
	{1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
	{6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
	{3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
	{5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
	{8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
	{9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
	{2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}

// dammDigit returns the check digit of a string of decimal digits.
func dammDigit(digits string) byte {
	var interim byte
	for i := 0; i < len(digits); i++ {
		interim = dammTable[interim][digits[i]-'0']
	}
	return interim
}

// TrackingNumber forms the tracking number of the seq-th case of a day (in the county's time
// zone): YYMMDD, the sequence with at least four digits, and a Damm check digit, all digits
// so that it is easy to type on a phone.
func TrackingNumber(day time.Time, seq int64) string {
	body := fmt.Sprintf("%s%04d", day.Format("060102"), seq)
	return body + string('0'+dammDigit(body))
}

// ValidTrackingNumber reports whether s has the form of a tracking number and a right check digit.
func ValidTrackingNumber(s string) bool {
	if len(s) < 11 || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return dammDigit(s) == 0
}
