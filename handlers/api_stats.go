package handlers

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"gridbot/models"
)

// stats answers GET /api/v1/stats?since=YYYY-MM-DD (default: the first day of this year; from
// 2000-01-01 to a year from now) with the closed loop's figures; for county-wide roles only.
func (a *api) stats(c *gin.Context) {
	p := caller(c)
	if !countyWide(p.Role) {
		writeError(c, a.Log, models.Errorf(models.EForbidden, "statistics are for the platform and supervisors"))
		return
	}
	now := a.Now().In(a.Location)
	since := time.Date(now.Year(), 1, 1, 0, 0, 0, 0, a.Location)
	if s := c.Query("since"); s != "" {
		t, err := dateParam("since", s, now, a.Location)
		if err != nil {
			writeError(c, a.Log, err)
			return
		}
		since = t
	}
	st, err := a.Store.CaseStats(c.Request.Context(), since, now.AddDate(0, 0, -a.unratedDays()), now)
	if err != nil {
		writeError(c, a.Log, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// unratedDays is how long a closed case may wait for its rating before it counts as unrated.
func (a *api) unratedDays() int {
	if a.UnratedAfterDays > 0 {
		return a.UnratedAfterDays
	}
	return 7
}
