package handlers

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"gridbot/models"
)

// statusOf maps each error code to its HTTP status: the one table of it.
func statusOf(code models.ErrorCode) int {
	switch code {
	case models.ENotFound:
		return http.StatusNotFound
	case models.EConflict:
		return http.StatusConflict
	case models.EInvalid:
		return http.StatusBadRequest
	case models.EUnauthorized:
		return http.StatusUnauthorized
	case models.EForbidden:
		return http.StatusForbidden
	case models.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case models.EUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    models.ErrorCode `json:"code"`
	Message string           `json:"message"`
}

// writeError answers with err's status and caller-safe message, logging internal errors.
func writeError(c *gin.Context, log *slog.Logger, err error) {
	code := models.ErrorCodeOf(err)
	status := statusOf(code)
	if status >= 500 {
		log.ErrorContext(c.Request.Context(), "request failed", "path", c.FullPath(), "err", err)
	}
	c.AbortWithStatusJSON(status, errorBody{Error: errorDetail{Code: code, Message: models.ErrorMessage(err)}})
}
