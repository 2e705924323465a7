package store

import (
	"context"
	"time"

	"gridbot/models"
)

type attachmentRow struct {
	ID         int64 `gorm:"primaryKey"`
	CaseID     int64
	EventID    int64
	Path       string
	SHA256     string `gorm:"column:sha256"`
	MIMEType   string `gorm:"column:mime_type"`
	Size       int64
	MediaID    string
	FetchError string
	CreatedAt  time.Time
}

func (attachmentRow) TableName() string { return "attachments" }

// toAttachment converts a stored attachment.
func (r attachmentRow) toAttachment() models.Attachment {
	return models.Attachment{
		ID: r.ID, CaseID: r.CaseID, EventID: r.EventID, Path: r.Path, SHA256: r.SHA256, MIMEType: r.MIMEType,
		Size: r.Size, MediaID: r.MediaID, FetchError: r.FetchError, CreatedAt: r.CreatedAt.UTC(),
	}
}

// AddAttachment stores an attachment's record and returns it with its id.
func (s *Store) AddAttachment(ctx context.Context, a models.Attachment) (models.Attachment, error) {
	r := attachmentRow{
		CaseID: a.CaseID, EventID: a.EventID, Path: a.Path, SHA256: a.SHA256, MIMEType: a.MIMEType,
		Size: a.Size, MediaID: a.MediaID, FetchError: a.FetchError, CreatedAt: models.EventTime(time.Now()),
	}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return models.Attachment{}, translate(err, "attachment")
	}
	return r.toAttachment(), nil
}

// RecordFetch records the outcome of fetching an attachment's file: path, hash, type and size,
// or why it failed. It leaves the attachment's case alone.
func (s *Store) RecordFetch(ctx context.Context, a models.Attachment) error {
	res := s.conn(ctx).Model(&attachmentRow{}).Where("id = ?", a.ID).Updates(map[string]any{
		"path": a.Path, "sha256": a.SHA256, "mime_type": a.MIMEType, "size": a.Size, "fetch_error": a.FetchError,
	})
	if res.Error != nil {
		return translate(res.Error, "attachment")
	}
	if res.RowsAffected == 0 {
		return models.Errorf(models.ENotFound, "attachment %d not found", a.ID)
	}
	return nil
}

// Attachments returns a case's attachments in the order they arrived.
func (s *Store) Attachments(ctx context.Context, caseID int64) ([]models.Attachment, error) {
	var rows []attachmentRow
	if err := s.conn(ctx).Where("case_id = ?", caseID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "attachments")
	}
	out := make([]models.Attachment, len(rows))
	for i, r := range rows {
		out[i] = r.toAttachment()
	}
	return out, nil
}

// UnfetchedAttachments returns attachments whose file is neither downloaded nor failed, received
// after a time (WeChat keeps media for 3 days), oldest first.
func (s *Store) UnfetchedAttachments(ctx context.Context, since time.Time, limit int) ([]models.Attachment, error) {
	var rows []attachmentRow
	err := s.conn(ctx).Where("path = '' AND fetch_error = '' AND media_id <> '' AND created_at > ?", since.UTC()).
		Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "attachments")
	}
	out := make([]models.Attachment, len(rows))
	for i, r := range rows {
		out[i] = r.toAttachment()
	}
	return out, nil
}

// LinkAttachments gives attachments collected during a conversation to their case and event.
func (s *Store) LinkAttachments(ctx context.Context, ids []int64, caseID, eventID int64) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.conn(ctx).Model(&attachmentRow{}).Where("id IN ?", ids).
		Updates(map[string]any{"case_id": caseID, "event_id": eventID}).Error
	return translate(err, "attachments")
}
