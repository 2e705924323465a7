package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"gridbot/models"
)

// notificationView is a notification intent as the API shows it: never its payload, which may
// name a reporter to their own channel.
type notificationView struct {
	ID            int64              `json:"id"`
	CaseID        int64              `json:"case_id"`
	RecipientID   int64              `json:"recipient_id"`
	Channel       models.Channel     `json:"channel"`
	Kind          string             `json:"kind"`
	State         models.IntentState `json:"state"`
	Attempts      int                `json:"attempts"`
	LastError     string             `json:"last_error,omitempty"`
	CreatedAt     string             `json:"created_at"`
	NextAttemptAt string             `json:"next_attempt_at"`
}

// notifications answers GET /api/v1/notifications?state=failed|pending|sending|sent&limit=:
// delivery as operators watch it (failed ones above all); county-wide roles only.
func (a *api) notifications(c *gin.Context) {
	if !countyWide(caller(c).Role) {
		writeError(c, a.Log, models.Errorf(models.EForbidden, "notifications are for the platform and supervisors"))
		return
	}
	state := models.IntentState(c.DefaultQuery("state", string(models.IntentFailed)))
	switch state {
	case models.IntentFailed, models.IntentPending, models.IntentSending, models.IntentSent:
	default:
		writeError(c, a.Log, models.Errorf(models.EInvalid, "state must be failed, pending, sending or sent"))
		return
	}
	limit, err := strconv.Atoi(c.DefaultQuery("limit", "100"))
	if err != nil || limit < 1 || limit > 1000 {
		writeError(c, a.Log, models.Errorf(models.EInvalid, "limit must be 1 to 1000"))
		return
	}
	list, err := a.Store.IntentsInState(c.Request.Context(), state, limit)
	if err != nil {
		writeError(c, a.Log, err)
		return
	}
	out := make([]notificationView, len(list))
	for i, in := range list {
		out[i] = notificationView{ID: in.ID, CaseID: in.CaseID, RecipientID: in.RecipientID, Channel: in.Channel,
			Kind: in.Kind, State: in.State, Attempts: in.Attempts, LastError: in.LastError,
			CreatedAt: in.CreatedAt.In(a.Location).Format(time.RFC3339), NextAttemptAt: in.NextAttemptAt.In(a.Location).Format(time.RFC3339)}
	}
	c.JSON(http.StatusOK, gin.H{"notifications": out})
}
