package models

import "time"

// Stats sums up the closed loop for supervisors (综合评价): intake, closure, timeliness, rework,
// satisfaction and supervision, over the cases received since a date.
type Stats struct {
	Since        time.Time     `json:"since"`
	Received     int           `json:"received"`
	ByState      map[State]int `json:"by_state"`
	Closed       int           `json:"closed"`
	ClosureRate  float64       `json:"closure_rate"`   // closed / received
	ClosedOnTime int           `json:"closed_on_time"` // closed no later than the handling deadline
	OnTimeRate   float64       `json:"on_time_rate"`   // closed on time / closed
	Reworked     int           `json:"reworked"`       // reopened at least once
	Returned     int           `json:"returned"`       // returned by a team at least once
	Overdue      int           `json:"overdue"`        // open with the handling deadline passed
	Escalated    int           `json:"escalated"`      // escalated (督办) at least once
	Urged        int           `json:"urged"`          // urged (催办) by their reporter or a follower at least once
	Rated        int           `json:"rated"`
	Satisfied    int           `json:"satisfied"` // rated 4 or 5
	RatingAvg    float64       `json:"rating_avg"`
	Unrated      int           `json:"unrated"` // closed longer ago than the rating period, without a rating
}
