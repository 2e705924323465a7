package store

import (
	"context"
	"time"

	"gridbot/models"
)

// EnsureCitizen returns the person with a WeChat openid, creating a citizen on first contact;
// it records the time of this inbound message (at most once a minute) and marks them reachable.
func (s *Store) EnsureCitizen(ctx context.Context, openID string, at time.Time) (models.Person, error) {
	p, err := s.PersonByOpenID(ctx, openID)
	if models.ErrorCodeOf(err) == models.ENotFound {
		p, err = s.CreatePerson(ctx, models.Person{Role: models.RoleCitizen, OpenID: openID,
			PreferredChannel: models.ChannelWeChat, LastInboundAt: at, CreatedAt: at, UpdatedAt: at})
		if models.ErrorCodeOf(err) == models.EConflict { // created at the same moment by a retry
			return s.PersonByOpenID(ctx, openID)
		}
		return p, err
	}
	if err != nil {
		return models.Person{}, err
	}
	if at.Sub(p.LastInboundAt) < time.Minute && !p.Unreachable {
		return p, nil
	}
	p.LastInboundAt, p.Unreachable = at.UTC(), false
	err = s.conn(ctx).Model(&personRow{}).Where("id = ?", p.ID).
		Updates(map[string]any{"last_inbound_at": p.LastInboundAt, "unreachable": false}).Error
	return p, translate(err, "person")
}

// SetUnreachable marks whether a person can be sent messages (they unsubscribed, or came back).
func (s *Store) SetUnreachable(ctx context.Context, personID int64, unreachable bool) error {
	err := s.conn(ctx).Model(&personRow{}).Where("id = ?", personID).Update("unreachable", unreachable).Error
	return translate(err, "person")
}

// RedeemBindingCode links a WeChat openid to the person a one-time code was issued to, in one
// transaction: the code is used up, a citizen record of that openid hands over its cases, and
// the staff person gets the openid. models.ENotFound for a wrong, used or expired code;
// models.EConflict when the openid already belongs to another staff member.
func (s *Store) RedeemBindingCode(ctx context.Context, openID, code string, now time.Time) (models.Person, error) {
	var bound models.Person
	err := s.InTx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Model(&bindingCodeRow{}).
			Where("code_hash = ? AND used_at IS NULL AND expires_at > ?", HashBindingCode(code), now.UTC()).
			Update("used_at", now.UTC())
		if res.Error != nil {
			return translate(res.Error, "binding code")
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.ENotFound, "binding code is wrong, used or expired")
		}
		var bc bindingCodeRow
		if err := tx.conn(ctx).Where("code_hash = ?", HashBindingCode(code)).Take(&bc).Error; err != nil {
			return translate(err, "binding code")
		}
		p, err := tx.PersonByID(ctx, bc.PersonID)
		if err != nil {
			return err
		}
		if err := tx.releaseOpenID(ctx, openID, p.ID); err != nil {
			return err
		}
		p.OpenID, p.LastInboundAt, p.Unreachable = openID, now.UTC(), false
		err = tx.conn(ctx).Model(&personRow{}).Where("id = ?", p.ID).Updates(map[string]any{
			"openid": openID, "last_inbound_at": p.LastInboundAt, "unreachable": false, "updated_at": now.UTC()}).Error
		bound = p
		return translate(err, "person")
	})
	return bound, err
}

// releaseOpenID frees an openid for a staff person: a citizen record holding it hands its cases
// over and lets it go; another staff member holding it is a conflict.
func (s *Store) releaseOpenID(ctx context.Context, openID string, staffID int64) error {
	holder, err := s.PersonByOpenID(ctx, openID)
	if models.ErrorCodeOf(err) == models.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if holder.ID == staffID {
		return nil
	}
	if holder.Role != models.RoleCitizen {
		return models.Errorf(models.EConflict, "this WeChat account is already bound to %s", holder.Name)
	}
	if err := s.conn(ctx).Model(&caseRow{}).Where("reporter_id = ?", holder.ID).Update("reporter_id", staffID).Error; err != nil {
		return translate(err, "cases")
	}
	return translate(s.conn(ctx).Model(&personRow{}).Where("id = ?", holder.ID).Update("openid", nil).Error, "person")
}
