package workflow

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gridbot/models"
)

// UrgeInterval is how long a person waits between two urges (催办) of the same case.
const UrgeInterval = 24 * time.Hour

// urge records that the reporter or a follower asks for the case to be handled (催办), at most
// once per UrgeInterval each, and sends the card to whoever has it: its assignee, else the
// team's officers and leaders, else the platform. The state does not change.
func (ch *change) urge() error {
	c, p := ch.c, ch.req.Actor
	if c.ReporterID != p.ID && !ch.w.follows(ch.ctx, c.ID, p.ID) {
		return models.Errorf(models.EForbidden, "only the reporter or a follower of case %s may urge it", c.TrackingNo)
	}
	evs, err := ch.w.store.Events(ch.ctx, c.ID)
	if err != nil {
		return err
	}
	if last := lastUrge(evs, p.ID); !last.IsZero() && ch.now.Sub(last) < UrgeInterval {
		return models.Errorf(models.EConflict, "case %s was already urged by this person at %s: once per %s, next from %s",
			c.TrackingNo, last.In(ch.w.loc).Format("2006-01-02 15:04"), UrgeInterval,
			last.Add(UrgeInterval).In(ch.w.loc).Format("2006-01-02 15:04"))
	}
	ch.note = fmt.Sprintf(msgUrgeNote, urges(evs)+1) // never the person's words: they may name them
	ch.toUrged()
	return nil
}

// toUrged sends the urge's card: to the assignee of a case being worked on, else to the team's
// officers and leaders (its leaders when the result waits for its check); to the platform when
// the case waits for it, or when nobody else can be reached.
func (ch *change) toUrged() {
	before := len(ch.intents)
	switch c := ch.c; {
	case c.TeamCode == "" || !(c.State.ClockRunning() || c.State == models.StateHandled):
		// it waits for the platform: received, in triage, returned, transferred or parked
	case c.AssigneeID != 0 && c.State != models.StateHandled:
		if p, err := ch.person(c.AssigneeID); err == nil {
			ch.to(models.NoticeChase, p, true)
		}
	case c.State == models.StateHandled:
		ch.toLeader(models.NoticeChase)
	default:
		ch.toTeam(models.NoticeChase)
	}
	if len(ch.intents) == before {
		ch.toPlatform(models.NoticeChase)
	}
}

// followerUrges reports whether a request is an urge by a follower of the case, who may urge a
// case they may not otherwise see (a duplicate of theirs was merged into it).
func (w *Workflow) followerUrges(ctx context.Context, r Request, c models.Case) bool {
	return r.Action == models.ActionUrge && r.Actor.ID != 0 && w.follows(ctx, c.ID, r.Actor.ID)
}

// follows reports whether a person follows a case.
func (w *Workflow) follows(ctx context.Context, caseID, personID int64) bool {
	fs, err := w.store.Followers(ctx, caseID)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(fs, func(p models.Person) bool { return p.ID == personID })
}

// LastUrged returns when a person last urged a case (the zero time if never); they may urge it
// again UrgeInterval after.
func (w *Workflow) LastUrged(ctx context.Context, caseID, personID int64) (time.Time, error) {
	evs, err := w.store.Events(ctx, caseID)
	if err != nil {
		return time.Time{}, err
	}
	return lastUrge(evs, personID), nil
}

// lastUrge returns the time of a person's last urge in a case's history.
func lastUrge(evs []models.Event, personID int64) time.Time {
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Action == models.ActionUrge && evs[i].ActorID == personID {
			return evs[i].At
		}
	}
	return time.Time{}
}

// urges counts the urges in a case's history.
func urges(evs []models.Event) int {
	n := 0
	for _, e := range evs {
		if e.Action == models.ActionUrge {
			n++
		}
	}
	return n
}
