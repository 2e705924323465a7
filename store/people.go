package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gridbot/models"
)

type teamRow struct {
	Code           string `gorm:"primaryKey"`
	Name           string
	Kind           string
	TownshipCode   string
	DepartmentCode string
}

func (teamRow) TableName() string { return "teams" }

type personRow struct {
	ID               int64 `gorm:"primaryKey"`
	Code             *string
	Name             string
	Phone            string
	Role             string
	TeamCode         string
	GridCodes        string  // JSON array
	OpenID           *string `gorm:"column:openid"`
	WeComUserID      *string `gorm:"column:wecom_userid"`
	PreferredChannel string
	Unreachable      bool
	LastInboundAt    *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

func (personRow) TableName() string { return "people" }

type bindingCodeRow struct {
	CodeHash  string `gorm:"primaryKey"`
	PersonID  int64
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

func (bindingCodeRow) TableName() string { return "binding_codes" }

// toPersonRow converts a person for storage; empty identifiers become NULL so that the unique
// indexes allow many people without one.
func toPersonRow(p models.Person) personRow {
	r := personRow{
		ID: p.ID, Code: nullable(p.Code), Name: p.Name, Phone: p.Phone, Role: string(p.Role),
		TeamCode: p.TeamCode, GridCodes: jsonList(p.GridCodes), OpenID: nullable(p.OpenID),
		WeComUserID: nullable(p.WeComUserID), PreferredChannel: string(p.PreferredChannel),
		Unreachable: p.Unreachable, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	if r.PreferredChannel == "" {
		r.PreferredChannel = string(models.ChannelWeChat)
	}
	if !p.LastInboundAt.IsZero() {
		t := p.LastInboundAt.UTC()
		r.LastInboundAt = &t
	}
	return r
}

// toPerson converts a stored person.
func (r personRow) toPerson() (models.Person, error) {
	p := models.Person{
		ID: r.ID, Code: deref(r.Code), Name: r.Name, Phone: r.Phone, Role: models.Role(r.Role),
		TeamCode: r.TeamCode, OpenID: deref(r.OpenID), WeComUserID: deref(r.WeComUserID),
		PreferredChannel: models.Channel(r.PreferredChannel), Unreachable: r.Unreachable,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
	if r.LastInboundAt != nil {
		p.LastInboundAt = r.LastInboundAt.UTC()
	}
	if err := json.Unmarshal([]byte(r.GridCodes), &p.GridCodes); err != nil {
		return models.Person{}, fmt.Errorf("stored person %d: grid codes: %w", r.ID, err)
	}
	return p, nil
}

// Teams returns every team, ordered by code.
func (s *Store) Teams(ctx context.Context) ([]models.Team, error) {
	var rows []teamRow
	if err := s.conn(ctx).Order("code").Find(&rows).Error; err != nil {
		return nil, translate(err, "teams")
	}
	out := make([]models.Team, len(rows))
	for i, r := range rows {
		out[i] = models.Team{Code: r.Code, Name: r.Name, Kind: models.TeamKind(r.Kind),
			TownshipCode: r.TownshipCode, DepartmentCode: r.DepartmentCode}
	}
	return out, nil
}

// TeamMembers returns the people of a team, ordered by id.
func (s *Store) TeamMembers(ctx context.Context, teamCode string) ([]models.Person, error) {
	return s.findPeople(ctx, "team_code = ?", teamCode)
}

// PersonByID returns a person; models.ENotFound if there is none.
func (s *Store) PersonByID(ctx context.Context, id int64) (models.Person, error) {
	return s.onePerson(ctx, "person", "id = ?", id)
}

// PeopleByIDs returns the people of the ids that exist, by id (one query for a batch).
func (s *Store) PeopleByIDs(ctx context.Context, ids []int64) (map[int64]models.Person, error) {
	out := make(map[int64]models.Person, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	people, err := s.findPeople(ctx, "id IN ?", ids)
	if err != nil {
		return nil, err
	}
	for _, p := range people {
		out[p.ID] = p
	}
	return out, nil
}

// PersonByOpenID returns the person with a WeChat openid; models.ENotFound if there is none.
func (s *Store) PersonByOpenID(ctx context.Context, openID string) (models.Person, error) {
	return s.onePerson(ctx, "person", "openid = ?", openID)
}

// PersonByCode returns the person with a deployment-file code; models.ENotFound if there is none.
func (s *Store) PersonByCode(ctx context.Context, code string) (models.Person, error) {
	return s.onePerson(ctx, "person", "code = ?", code)
}

// CreatePerson stores a new person and returns it with its id; models.EConflict when its code,
// openid or WeCom userid is taken.
func (s *Store) CreatePerson(ctx context.Context, p models.Person) (models.Person, error) {
	r := toPersonRow(p)
	r.ID = 0
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return models.Person{}, translate(err, "person")
	}
	return r.toPerson()
}

// onePerson returns the single person matching a condition.
func (s *Store) onePerson(ctx context.Context, what, cond string, args ...any) (models.Person, error) {
	row := s.pool(ctx).QueryRowContext(ctx, "SELECT "+personColumns+" FROM people WHERE "+cond+" LIMIT 1", args...)
	r, err := scanPerson(row)
	if err != nil {
		return models.Person{}, translate(notFound(err), what)
	}
	return r.toPerson()
}

// findPeople returns every person matching a condition, ordered by id.
func (s *Store) findPeople(ctx context.Context, cond string, args ...any) ([]models.Person, error) {
	var rows []personRow
	if err := s.conn(ctx).Where(cond, args...).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "people")
	}
	out := make([]models.Person, len(rows))
	for i, r := range rows {
		p, err := r.toPerson()
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// nullable returns nil for "" so that the column holds NULL.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deref returns "" for a NULL column.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// People returns every person, ordered by id.
func (s *Store) People(ctx context.Context) ([]models.Person, error) {
	return s.findPeople(ctx, "1 = 1")
}

// PeopleByRole returns the people holding a role, ordered by id.
func (s *Store) PeopleByRole(ctx context.Context, role models.Role) ([]models.Person, error) {
	return s.findPeople(ctx, "role = ?", string(role))
}

// PersonByWeComUserID returns the person with a WeCom userid; models.ENotFound if there is none.
func (s *Store) PersonByWeComUserID(ctx context.Context, userID string) (models.Person, error) {
	return s.onePerson(ctx, "person", "wecom_userid = ?", userID)
}
