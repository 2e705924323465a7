package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"gorm.io/gorm/clause"

	"gridbot/models"
)

// codeAlphabet holds the characters of binding codes: no 0/O, 1/I, which people confuse.
const codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// ImportDeployment writes a county's deployment in one transaction, all or nothing. Re-importing
// updates rows by their codes and duplicates nothing; a person's WeChat binding made since is
// kept. Delegations and the colloquial list are replaced by the file's. Binding codes expire ttl after now.
func (s *Store) ImportDeployment(ctx context.Context, d models.Deployment, now time.Time, ttl time.Duration) (models.ImportResult, error) {
	res := models.ImportResult{Counts: map[string]int{}}
	err := s.InTx(ctx, func(tx *Store) error {
		steps := []func(context.Context, models.Deployment, *models.ImportResult) error{
			tx.importPlaces, tx.importCatalogue, tx.importColloquial, tx.importTeams,
		}
		for _, step := range steps {
			if err := step(ctx, d, &res); err != nil {
				return err
			}
		}
		for _, m := range d.Staff {
			if err := tx.importStaff(ctx, m, now, ttl, &res); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return models.ImportResult{}, err
	}
	return res, nil
}

// upsert inserts rows or updates them in place when their key exists.
func (s *Store) upsert(ctx context.Context, what string, rows any) error {
	if err := s.conn(ctx).Clauses(clause.OnConflict{UpdateAll: true}).Create(rows).Error; err != nil {
		return translate(err, what)
	}
	return nil
}

// importPlaces writes the county, townships, villages, grids and departments.
func (s *Store) importPlaces(ctx context.Context, d models.Deployment, res *models.ImportResult) error {
	if err := s.upsert(ctx, "county", &countyRow{Code: d.County.Code, Name: d.County.Name}); err != nil {
		return err
	}
	for _, t := range d.Townships {
		if err := s.upsert(ctx, "township "+t.Code, &townshipRow{Code: t.Code, Name: t.Name}); err != nil {
			return err
		}
	}
	for _, v := range d.Villages {
		r := toVillageRow(v)
		if err := s.upsert(ctx, "village "+v.Code, &r); err != nil {
			return err
		}
	}
	for _, g := range d.Grids {
		r := toGridRow(g)
		if err := s.upsert(ctx, "grid "+g.Code, &r); err != nil {
			return err
		}
	}
	for _, dep := range d.Departments {
		if err := s.upsert(ctx, "department "+dep.Code, &departmentRow{Code: dep.Code, Name: dep.Name}); err != nil {
			return err
		}
	}
	res.Counts["townships"], res.Counts["villages"], res.Counts["grids"] = len(d.Townships), len(d.Villages), len(d.Grids)
	res.Counts["departments"] = len(d.Departments)
	return nil
}

// importCatalogue writes the matters and replaces the delegations.
func (s *Store) importCatalogue(ctx context.Context, d models.Deployment, res *models.ImportResult) error {
	for _, m := range d.Matters {
		r := toMatterRow(m)
		if err := s.upsert(ctx, "matter "+m.Code, &r); err != nil {
			return err
		}
	}
	if err := s.conn(ctx).Where("1 = 1").Delete(&delegationRow{}).Error; err != nil {
		return translate(err, "delegations")
	}
	for _, dl := range d.Delegations {
		r := toDelegationRow(dl)
		if err := s.conn(ctx).Create(&r).Error; err != nil {
			return translate(err, "delegation "+dl.MatterCode+"/"+dl.TownshipCode)
		}
	}
	res.Counts["matters"], res.Counts["delegations"] = len(d.Matters), len(d.Delegations)
	return nil
}

// importColloquial replaces the colloquial list with the file's.
func (s *Store) importColloquial(ctx context.Context, d models.Deployment, res *models.ImportResult) error {
	if err := s.conn(ctx).Where("1 = 1").Delete(&colloquialRow{}).Error; err != nil {
		return translate(err, "colloquial")
	}
	if len(d.Colloquial) > 0 {
		rows := make([]colloquialRow, len(d.Colloquial))
		for i, c := range d.Colloquial {
			rows[i] = colloquialRow{Position: i + 1, Say: c.Say, Means: c.Means}
		}
		if err := s.conn(ctx).Create(&rows).Error; err != nil {
			return translate(err, "colloquial")
		}
	}
	res.Counts["colloquial"] = len(d.Colloquial)
	return nil
}

// importTeams writes the teams.
func (s *Store) importTeams(ctx context.Context, d models.Deployment, res *models.ImportResult) error {
	for _, t := range d.Teams {
		r := teamRow{Code: t.Code, Name: t.Name, Kind: string(t.Kind), TownshipCode: t.TownshipCode, DepartmentCode: t.DepartmentCode}
		if err := s.upsert(ctx, "team "+t.Code, &r); err != nil {
			return err
		}
	}
	res.Counts["teams"] = len(d.Teams)
	return nil
}

// importStaff creates or updates one person by code, keeping a binding made since, and gives
// them the file's binding code or a newly issued one.
func (s *Store) importStaff(ctx context.Context, m models.StaffMember, now time.Time, ttl time.Duration, res *models.ImportResult) error {
	p := m.Person
	var existing personRow
	q := s.conn(ctx).Where("code = ?", p.Code).Limit(1).Find(&existing)
	if q.Error != nil {
		return translate(q.Error, "person "+p.Code)
	}
	r := toPersonRow(p)
	if q.RowsAffected == 0 {
		r.CreatedAt, r.UpdatedAt = now.UTC(), now.UTC()
		if err := s.conn(ctx).Create(&r).Error; err != nil {
			return translate(err, "person "+p.Code)
		}
	} else {
		r.ID, r.CreatedAt, r.UpdatedAt = existing.ID, existing.CreatedAt, now.UTC()
		r.Unreachable, r.LastInboundAt = existing.Unreachable, existing.LastInboundAt
		if r.OpenID == nil { // bound through a code since the last import: keep it
			r.OpenID = existing.OpenID
		}
		if err := s.conn(ctx).Select("*").Updates(&r).Error; err != nil {
			return translate(err, "person "+p.Code)
		}
	}
	res.Counts["people"]++
	if r.OpenID != nil {
		return nil // already bound: a code would be pointless
	}
	return s.importBindingCode(ctx, r.ID, m, now, ttl, res)
}

// importBindingCode stores the file's code for a person, or issues one if the file asks and the
// person has no live code yet.
func (s *Store) importBindingCode(ctx context.Context, personID int64, m models.StaffMember, now time.Time, ttl time.Duration, res *models.ImportResult) error {
	code := m.BindingCode
	if code == "" && m.IssueCode {
		var live int64
		err := s.conn(ctx).Model(&bindingCodeRow{}).
			Where("person_id = ? AND used_at IS NULL AND expires_at > ?", personID, now.UTC()).Count(&live).Error
		if err != nil {
			return translate(err, "binding code")
		}
		if live > 0 {
			return nil
		}
		var genErr error
		if code, genErr = newBindingCode(); genErr != nil {
			return genErr
		}
		res.IssuedCodes = append(res.IssuedCodes, models.IssuedCode{PersonCode: m.Person.Code, PersonName: m.Person.Name, Code: code})
	}
	if code == "" {
		return nil
	}
	h := HashBindingCode(code)
	var existing bindingCodeRow
	q := s.conn(ctx).Where("code_hash = ?", h).Limit(1).Find(&existing)
	if q.Error != nil {
		return translate(q.Error, "binding code")
	}
	if q.RowsAffected > 0 {
		if existing.PersonID != personID {
			return models.Errorf(models.EConflict, "binding code of %s is already given to someone else", m.Person.Code)
		}
		return nil // the same code again: keep its expiry and whether it was used
	}
	row := bindingCodeRow{CodeHash: h, PersonID: personID, ExpiresAt: now.Add(ttl).UTC(), CreatedAt: now.UTC()}
	if err := s.conn(ctx).Create(&row).Error; err != nil {
		return translate(err, "binding code")
	}
	res.Counts["binding_codes"]++
	return nil
}

// HashBindingCode returns the stored form of a binding code: hex sha256 of its upper-case text.
func HashBindingCode(code string) string {
	sum := sha256.Sum256([]byte(normalizeCode(code)))
	return hex.EncodeToString(sum[:])
}

// normalizeCode upper-cases a code as people may type it in lower case.
func normalizeCode(code string) string {
	b := []byte(code)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// newBindingCode returns a random 8-character code from codeAlphabet (40 bits).
func newBindingCode() (string, error) {
	buf := make([]byte, 8)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	for i, b := range buf {
		buf[i] = codeAlphabet[int(b)%len(codeAlphabet)]
	}
	return string(buf), nil
}
