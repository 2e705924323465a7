package workflow

import (
	"context"
	"time"

	"gridbot/models"
)

// Records is what the Service reads and keeps of the database beyond the workflow's Store: the
// reads of cases, attachments, notifications and people that the bot and the API show.
type Records interface {
	Store
	// CasesByReporter returns a person's cases, newest first.
	CasesByReporter(ctx context.Context, personID int64, limit int) ([]models.Case, error)
	// Attachments returns a case's attachments.
	Attachments(ctx context.Context, caseID int64) ([]models.Attachment, error)
	// OpenCasesOfTeam lists a team's open cases, most urgent first.
	OpenCasesOfTeam(ctx context.Context, team string, limit int) ([]models.Case, error)
	// OpenCasesOfMatter lists open cases of a matter in a township with ids below beforeID (0
	// for the newest), newest first.
	OpenCasesOfMatter(ctx context.Context, matter, township string, beforeID int64, limit int) ([]models.Case, error)
	// ListCases returns a page of the cases a filter selects and how many it selects in all.
	ListCases(ctx context.Context, f models.CaseFilter) ([]models.Case, int64, error)
	// CaseStats sums up the cases received since a time.
	CaseStats(ctx context.Context, since, unratedBefore, now time.Time) (models.Stats, error)
	// TeamMembers lists a team's people.
	TeamMembers(ctx context.Context, team string) ([]models.Person, error)
	// LatestSentIntent returns the newest notification of one of the kinds delivered to a
	// person; models.ENotFound if none.
	LatestSentIntent(ctx context.Context, recipientID int64, kinds []string) (models.Intent, error)
	// IntentsInState returns notification intents in a state, newest first.
	IntentsInState(ctx context.Context, state models.IntentState, limit int) ([]models.Intent, error)
	// EnsureCitizen returns the person of an openid, creating a citizen on first contact.
	EnsureCitizen(ctx context.Context, openID string, at time.Time) (models.Person, error)
	// PersonByWeComUserID returns the staff member of a WeCom userid; models.ENotFound if none.
	PersonByWeComUserID(ctx context.Context, userID string) (models.Person, error)
	// PersonByToken returns the holder of a live API token; models.ENotFound for a wrong or
	// revoked one.
	PersonByToken(ctx context.Context, token string, now time.Time) (models.Person, error)
	// SetUnreachable marks whether a person can be sent messages.
	SetUnreachable(ctx context.Context, personID int64, unreachable bool) error
	// RedeemBindingCode binds an openid to the person of a one-time code: models.ENotFound for a
	// wrong, used or expired code, models.EConflict when the openid belongs to other staff.
	RedeemBindingCode(ctx context.Context, openID, code string, now time.Time) (models.Person, error)
}

// Invalidator drops the county snapshot held now, so that the next read loads it again (a
// county.Cache).
type Invalidator interface {
	Invalidate()
}

// Service is the case workflow as the bot and the county platform's API use it: intake,
// actions and who may see a case (the Workflow's), and the reads of cases, their history,
// attachments, followers and notifications, and of people.
type Service struct {
	*Workflow
	records Records
	county  Invalidator
}

// NewService returns the service of a workflow over the records it reads, dropping the county
// snapshot county holds when people change who receives dispatches (a binding).
func NewService(w *Workflow, records Records, county Invalidator) *Service {
	return &Service{Workflow: w, records: records, county: county}
}

// RedeemBindingCode binds an openid to the person of a one-time code (errors as
// Records.RedeemBindingCode) and drops the county snapshot, so that a newly bound officer
// receives dispatches at once.
func (s *Service) RedeemBindingCode(ctx context.Context, openID, code string, now time.Time) (models.Person, error) {
	p, err := s.records.RedeemBindingCode(ctx, openID, code, now)
	if err == nil {
		s.county.Invalidate()
	}
	return p, err
}

// CaseByID returns a case; models.ENotFound if there is none.
func (s *Service) CaseByID(ctx context.Context, id int64) (models.Case, error) {
	return s.records.CaseByID(ctx, id)
}

// CaseByTrackingNo returns a case; models.ENotFound if there is none.
func (s *Service) CaseByTrackingNo(ctx context.Context, no string) (models.Case, error) {
	return s.records.CaseByTrackingNo(ctx, no)
}

// CasesByReporter returns a person's cases, newest first.
func (s *Service) CasesByReporter(ctx context.Context, personID int64, limit int) ([]models.Case, error) {
	return s.records.CasesByReporter(ctx, personID, limit)
}

// OpenCasesOfTeam lists a team's open cases, most urgent first.
func (s *Service) OpenCasesOfTeam(ctx context.Context, team string, limit int) ([]models.Case, error) {
	return s.records.OpenCasesOfTeam(ctx, team, limit)
}

// OpenCasesOfMatter lists open cases of a matter in a township below beforeID, newest first.
func (s *Service) OpenCasesOfMatter(ctx context.Context, matter, township string, beforeID int64, limit int) ([]models.Case, error) {
	return s.records.OpenCasesOfMatter(ctx, matter, township, beforeID, limit)
}

// ListCases returns a page of the cases a filter selects and how many it selects in all.
func (s *Service) ListCases(ctx context.Context, f models.CaseFilter) ([]models.Case, int64, error) {
	return s.records.ListCases(ctx, f)
}

// CaseStats sums up the cases received since a time.
func (s *Service) CaseStats(ctx context.Context, since, unratedBefore, now time.Time) (models.Stats, error) {
	return s.records.CaseStats(ctx, since, unratedBefore, now)
}

// Events returns a case's history, oldest first.
func (s *Service) Events(ctx context.Context, caseID int64) ([]models.Event, error) {
	return s.records.Events(ctx, caseID)
}

// Attachments returns a case's attachments.
func (s *Service) Attachments(ctx context.Context, caseID int64) ([]models.Attachment, error) {
	return s.records.Attachments(ctx, caseID)
}

// Follow makes a person follow a case's status updates.
func (s *Service) Follow(ctx context.Context, caseID, personID int64) error {
	return s.records.Follow(ctx, caseID, personID)
}

// Followers returns the people following a case.
func (s *Service) Followers(ctx context.Context, caseID int64) ([]models.Person, error) {
	return s.records.Followers(ctx, caseID)
}

// LatestSentIntent returns the newest notification of one of the kinds delivered to a person;
// models.ENotFound if none.
func (s *Service) LatestSentIntent(ctx context.Context, recipientID int64, kinds []string) (models.Intent, error) {
	return s.records.LatestSentIntent(ctx, recipientID, kinds)
}

// IntentsInState returns notification intents in a state, newest first.
func (s *Service) IntentsInState(ctx context.Context, state models.IntentState, limit int) ([]models.Intent, error) {
	return s.records.IntentsInState(ctx, state, limit)
}

// PersonByID returns a person; models.ENotFound if there is none.
func (s *Service) PersonByID(ctx context.Context, id int64) (models.Person, error) {
	return s.records.PersonByID(ctx, id)
}

// TeamMembers lists a team's people.
func (s *Service) TeamMembers(ctx context.Context, team string) ([]models.Person, error) {
	return s.records.TeamMembers(ctx, team)
}

// EnsureCitizen returns the person of an openid, creating a citizen on first contact.
func (s *Service) EnsureCitizen(ctx context.Context, openID string, at time.Time) (models.Person, error) {
	return s.records.EnsureCitizen(ctx, openID, at)
}

// PersonByWeComUserID returns the staff member of a WeCom userid; models.ENotFound if none.
func (s *Service) PersonByWeComUserID(ctx context.Context, userID string) (models.Person, error) {
	return s.records.PersonByWeComUserID(ctx, userID)
}

// PersonByToken returns the holder of a live API token; models.ENotFound for a wrong or revoked
// one.
func (s *Service) PersonByToken(ctx context.Context, token string, now time.Time) (models.Person, error) {
	return s.records.PersonByToken(ctx, token, now)
}

// SetUnreachable marks whether a person can be sent messages.
func (s *Service) SetUnreachable(ctx context.Context, personID int64, unreachable bool) error {
	return s.records.SetUnreachable(ctx, personID, unreachable)
}
