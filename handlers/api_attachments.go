package handlers

import (
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"gridbot/blob"
	"gridbot/models"
)

// APIMedia reads the bytes of attachments; blob.Store satisfies it.
type APIMedia interface {
	// Get opens the blob under key, which the caller closes; models.ENotFound when there is none.
	Get(ctx context.Context, key string) (io.ReadCloser, blob.Info, error)
}

// attachmentFile serves GET /api/v1/cases/{no}/attachments/{id}: the photo or voice message of a
// case the caller may see, as it was downloaded from WeChat.
func (a *api) attachmentFile(c *gin.Context) {
	at, err := a.visibleAttachment(c)
	if err != nil {
		writeError(c, a.Log, err)
		return
	}
	rc, info, err := a.Media.Get(c.Request.Context(), at.Path)
	if models.ErrorCodeOf(err) == models.ENotFound {
		a.Log.WarnContext(c.Request.Context(), "an attachment's file is missing from the media store", "attachment_id", at.ID, "err", err)
		err = models.WrapError(models.ENotFound, err, "attachment %d has no file", at.ID)
	}
	if err != nil {
		writeError(c, a.Log, err)
		return
	}
	defer rc.Close()
	c.Header("ETag", `"`+at.SHA256+`"`)
	c.Header("Cache-Control", "private, max-age=86400")
	c.DataFromReader(http.StatusOK, info.Size, at.MIMEType, rc, nil)
}

// visibleAttachment finds a downloaded attachment of a case the caller may see; models.ENotFound
// otherwise.
func (a *api) visibleAttachment(c *gin.Context) (models.Attachment, error) {
	cs, err := a.visibleCase(c)
	if err != nil {
		return models.Attachment{}, err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.Attachment{}, models.Errorf(models.EInvalid, "attachment id must be a number")
	}
	atts, err := a.Store.Attachments(c.Request.Context(), cs.ID)
	if err != nil {
		return models.Attachment{}, err
	}
	for _, at := range atts {
		if at.ID != id {
			continue
		}
		if at.Path == "" {
			return models.Attachment{}, models.Errorf(models.ENotFound, "attachment %d of case %s is not downloaded", id, cs.TrackingNo)
		}
		return at, nil
	}
	return models.Attachment{}, models.Errorf(models.ENotFound, "attachment %d of case %s not found", id, cs.TrackingNo)
}
