package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gridbot/models"
)

// ClaimDueIntents hands up to limit due intents to owner for lease: pending intents whose
// next attempt is due, and intents still "sending" whose previous holder's lease ran out (it
// crashed or hung). They become "sending", claimed by owner until now+lease, with one more
// attempt counted. On MySQL/MariaDB the rows are read FOR UPDATE SKIP LOCKED, so concurrent
// claimers in any number of instances never get the same intent; on SQLite the single
// connection makes the transaction the only writer.
func (s *Store) ClaimDueIntents(ctx context.Context, now time.Time, owner string, lease time.Duration, limit int) ([]models.Intent, error) {
	if owner == "" || lease <= 0 || limit <= 0 {
		return nil, models.Errorf(models.EInvalid, "claim intents needs an owner, a lease and a limit")
	}
	now = models.EventTime(now)
	var out []models.Intent
	err := retryDeadlock(func() error {
		return s.db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
			tx := s.bound(g)
			rows, err := tx.dueIntentRows(ctx, now, limit)
			if err != nil || len(rows) == 0 {
				return err
			}
			out, err = tx.claimRows(ctx, rows, owner, now.Add(lease))
			return err
		}, s.claimTxOptions())
	})
	if err != nil {
		return nil, translate(err, "notifications")
	}
	return out, nil
}

// claimTxOptions reads committed rows only on MySQL/MariaDB: without gap locks a claim does not
// deadlock with the inserts of new intents and the outcomes of other workers.
func (s *Store) claimTxOptions() *sql.TxOptions {
	if s.driver == DriverMySQL {
		return &sql.TxOptions{Isolation: sql.LevelReadCommitted}
	}
	return nil
}

// retryDeadlock runs fn again (up to three times in all) when MySQL chose it as a deadlock
// victim or it waited too long for a lock.
func retryDeadlock(fn func() error) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = fn(); err == nil || !isDeadlock(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
	}
	return err
}

// isDeadlock reports a MySQL deadlock (1213) or lock wait timeout (1205).
func isDeadlock(err error) bool {
	var my *mysqldriver.MySQLError
	return errors.As(err, &my) && (my.Number == 1213 || my.Number == 1205)
}

// dueIntentRows locks and returns the intents due at now: expired leases first, then pending
// intents by due time. Both read idx_intents_due (state, next_attempt_at): the leases among the
// few intents being sent, the pending ones in due order.
func (s *Store) dueIntentRows(ctx context.Context, now time.Time, limit int) ([]intentRow, error) {
	var expired, pending []intentRow
	err := s.lockedForClaim(ctx).Where("state = ? AND claimed_until <= ?", string(models.IntentSending), now).
		Order("claimed_until, id").Limit(limit).Find(&expired).Error
	if err != nil || len(expired) >= limit {
		return expired, err
	}
	err = s.lockedForClaim(ctx).Where("state = ? AND next_attempt_at <= ?", string(models.IntentPending), now).
		Order("next_attempt_at, id").Limit(limit - len(expired)).Find(&pending).Error
	return append(expired, pending...), err
}

// lockedForClaim starts a query that locks what it reads and skips rows another claimer holds.
func (s *Store) lockedForClaim(ctx context.Context) *gorm.DB {
	q := s.conn(ctx)
	if s.driver == DriverMySQL {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked})
	}
	return q
}

// claimRows marks locked rows as sent by owner until the lease ends and returns them as claimed.
func (s *Store) claimRows(ctx context.Context, rows []intentRow, owner string, until time.Time) ([]models.Intent, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	args := appendIDs([]any{string(models.IntentSending), owner, until}, ids)
	_, err := s.pool(ctx).ExecContext(ctx, "UPDATE intents SET state = ?, claimed_by = ?, claimed_until = ?, "+
		"attempts = attempts + 1 WHERE id IN ("+placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	out := make([]models.Intent, len(rows))
	for i, r := range rows {
		r.State, r.Attempts = string(models.IntentSending), r.Attempts+1
		out[i] = r.toIntent()
	}
	return out, nil
}

// MarkSent records that owner delivered intent id. It returns models.EConflict when owner no
// longer holds the claim (its lease ran out and another worker took the intent); calling it
// again after success returns nil.
func (s *Store) MarkSent(ctx context.Context, id int64, owner string) error {
	return s.finishClaim(ctx, id, owner, models.IntentSent, "sent_at = ?", models.EventTime(time.Now()))
}

// MarkRetry puts intent id back in the queue for another attempt at next, keeping err as its
// last error; a retry takes no new turn under the recipient's rate limit (it is paced). Like
// MarkSent it is guarded by owner's claim and idempotent.
func (s *Store) MarkRetry(ctx context.Context, id int64, owner string, next time.Time, errText string) error {
	return s.finishClaim(ctx, id, owner, models.IntentPending, "paced = TRUE, next_attempt_at = ?, last_error = ?",
		models.EventTime(next), clip(errText))
}

// MarkFailed gives up on intent id, keeping err as its last error: it stays visible as failed.
// Like MarkSent it is guarded by owner's claim and idempotent.
func (s *Store) MarkFailed(ctx context.Context, id int64, owner string, errText string) error {
	return s.finishClaim(ctx, id, owner, models.IntentFailed, "last_error = ?", clip(errText))
}

// ReleaseIntents hands back intents that owner claimed but did not try to send (at shutdown):
// they are due again at once and the attempt claimed for them is not counted. Intents owner no
// longer holds are left alone.
func (s *Store) ReleaseIntents(ctx context.Context, owner string, ids []int64) error {
	return s.unclaim(ctx, owner, ids, "paced", "?", models.EventTime(time.Now()))
}

// Deferral says when one claimed intent that was not tried is due again.
type Deferral struct {
	ID   int64
	Next time.Time
}

// DeferIntents hands back, in one statement, intents that owner did not try to send (a rate
// limit gave them a later turn), each due again at its own Next, paced and without counting
// their attempts. Intents owner no longer holds are left alone.
func (s *Store) DeferIntents(ctx context.Context, owner string, ds []Deferral) error {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	next, args := nextByID(ds)
	return s.unclaim(ctx, owner, ids, "TRUE", next, args...)
}

// nextByID is the due time of each deferral as SQL with its arguments: the shared time when
// they all have the same, else a CASE on the id.
func nextByID(ds []Deferral) (string, []any) {
	if sameNext(ds) {
		return "?", []any{models.EventTime(ds[0].Next)}
	}
	var sql strings.Builder
	args := make([]any, 0, 2*len(ds))
	sql.WriteString("CASE id")
	for _, d := range ds {
		sql.WriteString(" WHEN ? THEN ?")
		args = append(args, d.ID, models.EventTime(d.Next))
	}
	sql.WriteString(" ELSE next_attempt_at END")
	return sql.String(), args
}

// sameNext reports whether deferrals (at least one) are all due at the same time.
func sameNext(ds []Deferral) bool {
	return len(ds) > 0 && !slices.ContainsFunc(ds, func(d Deferral) bool { return !d.Next.Equal(ds[0].Next) })
}

// unclaim makes intents owner holds pending again at next (SQL giving the time, with its
// arguments), paced as the SQL paced says, and uncounts their claimed attempt (plain SQL: rate
// limits defer many intents).
func (s *Store) unclaim(ctx context.Context, owner string, ids []int64, paced, next string, nextArgs ...any) error {
	if len(ids) == 0 {
		return nil
	}
	args := append(nextArgs, string(models.IntentPending))
	args = appendIDs(args, ids)
	args = append(args, string(models.IntentSending), owner)
	_, err := s.pool(ctx).ExecContext(ctx, "UPDATE intents SET next_attempt_at = "+next+", paced = "+paced+", state = ?, claimed_until = NULL, "+
		"attempts = attempts - 1 WHERE id IN ("+placeholders(len(ids))+") AND state = ? AND claimed_by = ?", args...)
	return translate(err, "notifications")
}

// placeholders returns n comma-separated placeholders.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// appendIDs appends ids to SQL arguments.
func appendIDs(args []any, ids []int64) []any {
	for _, id := range ids {
		args = append(args, id)
	}
	return args
}

// finishClaim moves a claimed intent to state, setting the columns of set (SQL assignments with
// their arguments), only while owner holds it; an intent already in that state by owner's hand
// counts as done (plain SQL: once per delivered notification).
func (s *Store) finishClaim(ctx context.Context, id int64, owner string, state models.IntentState, set string, setArgs ...any) error {
	args := append([]any{string(state)}, setArgs...)
	args = append(args, id, string(models.IntentSending), owner)
	var n int64
	err := retryDeadlock(func() error {
		res, err := s.pool(ctx).ExecContext(ctx, "UPDATE intents SET state = ?, claimed_until = NULL, "+set+
			" WHERE id = ? AND state = ? AND claimed_by = ?", args...)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return translate(err, "notification")
	}
	if n == 1 {
		return nil
	}
	return s.claimEnded(ctx, id, owner, state)
}

// claimEnded tells, after a guarded update changed nothing, whether owner had already moved the
// intent to state (done: nil) or no longer holds it (models.EConflict).
func (s *Store) claimEnded(ctx context.Context, id int64, owner string, state models.IntentState) error {
	var cur struct {
		State     string
		ClaimedBy string
	}
	if err := s.conn(ctx).Table("intents").Select("state, claimed_by").Where("id = ?", id).Take(&cur).Error; err != nil {
		return translate(err, "notification")
	}
	if cur.State == string(state) && cur.ClaimedBy == owner {
		return nil
	}
	return models.Errorf(models.EConflict, "notification %d is no longer claimed by %s", id, owner)
}

// maxErrorText bounds the error text kept with an intent.
const maxErrorText = 1000

// clip shortens an error text to maxErrorText bytes, on a rune boundary.
func clip(s string) string {
	if len(s) <= maxErrorText {
		return s
	}
	cut := maxErrorText
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut]
}
