package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gridbot/models"
)

// TokenPrefix starts every personal API token, so that a leaked one is easy to recognise.
const TokenPrefix = "gbt_"

// tokenEncoding writes a token's random bytes in lower-case base32 without padding.
func tokenEncoding() *base32.Encoding {
	return base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)
}

// tokenUseGranularity is how often at most a token's last use is written.
const tokenUseGranularity = time.Minute

type apiTokenRow struct {
	TokenHash  string `gorm:"primaryKey"`
	PersonID   int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

func (apiTokenRow) TableName() string { return "api_tokens" }

// toAPIToken converts a stored token's description.
func (r apiTokenRow) toAPIToken() models.APIToken {
	return models.APIToken{PersonID: r.PersonID, Name: r.Name, HashPrefix: r.TokenHash[:12],
		CreatedAt: r.CreatedAt.UTC(), LastUsedAt: timeVal(r.LastUsedAt), RevokedAt: timeVal(r.RevokedAt)}
}

// HashToken returns the stored form of an API token: the hex sha256 of its text.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newToken returns a fresh token: the prefix and 160 random bits as 32 base32 characters.
func newToken() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new api token: %w", err)
	}
	return TokenPrefix + tokenEncoding().EncodeToString(b), nil
}

// IssueToken creates a personal API token for a member of staff and returns it: the only time
// anyone sees it, as the store keeps its sha256 only. models.ENotFound when there is no such
// person; models.EInvalid for a role that may not hold a token or a name over 100 characters.
func (s *Store) IssueToken(ctx context.Context, personID int64, name string, now time.Time) (string, error) {
	p, err := s.PersonByID(ctx, personID)
	if err != nil {
		return "", err
	}
	if !p.Role.MayHoldAPIToken() {
		return "", models.Errorf(models.EInvalid, "a %s may not hold an API token", p.Role)
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return "", models.Errorf(models.EInvalid, "a token's name is 1 to 100 characters")
	}
	token, err := newToken()
	if err != nil {
		return "", err
	}
	r := apiTokenRow{TokenHash: HashToken(token), PersonID: p.ID, Name: name, CreatedAt: models.EventTime(now)}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return "", translate(err, "api token")
	}
	return token, nil
}

// RevokeTokens revokes every live token of a person and returns how many it revoked.
func (s *Store) RevokeTokens(ctx context.Context, personID int64, now time.Time) (int64, error) {
	res := s.conn(ctx).Model(&apiTokenRow{}).Where("person_id = ? AND revoked_at IS NULL", personID).
		Update("revoked_at", models.EventTime(now))
	if res.Error != nil {
		return 0, translate(res.Error, "api tokens")
	}
	return res.RowsAffected, nil
}

// PersonByToken returns the holder of a live token and notes its use (at most once a minute);
// models.ENotFound for a wrong or revoked token.
func (s *Store) PersonByToken(ctx context.Context, token string, now time.Time) (models.Person, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return models.Person{}, models.Errorf(models.ENotFound, "api token not found")
	}
	var r apiTokenRow
	err := s.conn(ctx).Where("token_hash = ? AND revoked_at IS NULL", HashToken(token)).Take(&r).Error
	if err != nil {
		return models.Person{}, translate(err, "api token")
	}
	if err := s.noteTokenUse(ctx, r, now); err != nil {
		return models.Person{}, err
	}
	return s.PersonByID(ctx, r.PersonID)
}

// noteTokenUse records when a token was last used unless that was less than a minute ago.
func (s *Store) noteTokenUse(ctx context.Context, r apiTokenRow, now time.Time) error {
	now = models.EventTime(now)
	if r.LastUsedAt != nil && now.Sub(*r.LastUsedAt) < tokenUseGranularity {
		return nil
	}
	err := s.conn(ctx).Model(&apiTokenRow{}).
		Where("token_hash = ? AND (last_used_at IS NULL OR last_used_at <= ?)", r.TokenHash, now.Add(-tokenUseGranularity)).
		Update("last_used_at", now).Error
	return translate(err, "api token")
}

// TokensOf describes a person's tokens, live and revoked, newest first.
func (s *Store) TokensOf(ctx context.Context, personID int64) ([]models.APIToken, error) {
	var rows []apiTokenRow
	if err := s.conn(ctx).Where("person_id = ?", personID).Order("created_at DESC").Find(&rows).Error; err != nil {
		return nil, translate(err, "api tokens")
	}
	out := make([]models.APIToken, len(rows))
	for i, r := range rows {
		out[i] = r.toAPIToken()
	}
	return out, nil
}
