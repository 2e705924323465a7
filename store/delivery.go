package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"gridbot/models"
)

// ClaimDueIntents hands up to limit due intents to a new claim of owner's for lease: pending
// intents whose next attempt is due, and intents still "sending" whose previous holder's lease
// ran out (it crashed or hung). They become "sending" until now+lease, with one more attempt
// counted, and carry the claim's token (models.Intent.Claim) under which their outcome is
// recorded. The claiming UPDATE checks again that each intent is still due, so concurrent
// claimers in any number of instances never get the same intent even where the rows were read
// without a lock (TiDB, SKIP LOCKED turned off): only the rows it changed are handed out. On
// MySQL 8 and MariaDB 10.6+ the rows are read FOR UPDATE SKIP LOCKED, so claimers skip each
// other's rows instead of losing the race for them; on SQLite the single connection makes the
// transaction the only writer.
func (s *Store) ClaimDueIntents(ctx context.Context, now time.Time, owner string, lease time.Duration, limit int) ([]models.Intent, error) {
	if owner == "" || lease <= 0 || limit <= 0 {
		return nil, models.Errorf(models.EInvalid, "claim intents needs an owner, a lease and a limit")
	}
	token, err := claimToken(owner)
	if err != nil {
		return nil, err
	}
	now = models.EventTime(now)
	var out []models.Intent
	err = retryDeadlock(func() error {
		return s.db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
			var err error
			out, err = s.bound(g).claimDue(ctx, now, claimLease{token: token, until: now.Add(lease)}, limit)
			return err
		}, s.claimTxOptions())
	})
	if err != nil {
		return nil, translate(err, "notifications")
	}
	return out, nil
}

// claimLease is one call of ClaimDueIntents: its token (claimed_by) and the end of its lease.
type claimLease struct {
	token string
	until time.Time
}

// claimRounds bounds how often a claim reads due intents again after another claimer took
// some of those it read (only where rows are read without a lock).
const claimRounds = 3

// claimDue claims up to limit intents due at now. Where another claimer won some of the rows
// read, it reads the next due ones, a few rounds at most, so that a lost race does not leave a
// worker idle while intents wait.
func (s *Store) claimDue(ctx context.Context, now time.Time, c claimLease, limit int) ([]models.Intent, error) {
	var out []models.Intent
	for round := 0; round < claimRounds && len(out) < limit; round++ {
		rows, err := s.dueIntentRows(ctx, now, limit-len(out))
		if err != nil || len(rows) == 0 {
			return out, err
		}
		got, err := s.claimRows(ctx, rows, c, now)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		if len(got) == len(rows) {
			break
		}
	}
	return out, nil
}

// claimTokenOwnerMax bounds the owner's part of a claim token so that the token fits
// claimed_by (64 characters) with its separator and 16 random characters.
const claimTokenOwnerMax = 47

// claimToken returns a token unique to one claim, owner's name first (an operator sees which
// instance holds an intent): two claims of one instance are told apart too.
func claimToken(owner string) (string, error) {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("claim token: %w", err)
	}
	cut := min(len(owner), claimTokenOwnerMax)
	for cut > 0 && cut < len(owner) && owner[cut]&0xC0 == 0x80 {
		cut--
	}
	return owner[:cut] + "/" + base32.StdEncoding.EncodeToString(b), nil
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

// lockedForClaim starts a query that locks what it reads and skips rows another claimer holds
// where the server does that (SKIP LOCKED); elsewhere a plain read, which claimRows re-checks.
func (s *Store) lockedForClaim(ctx context.Context) *gorm.DB {
	q := s.conn(ctx)
	if s.skipLocked {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate, Options: clause.LockingOptionsSkipLocked})
	}
	return q
}

// stillDue is the claiming UPDATE's check that a row read as due still is, with its two
// arguments (now, twice): nobody claimed it, deferred it or finished it since.
const stillDue = "((state = 'pending' AND next_attempt_at <= ?) OR (state = 'sending' AND claimed_until <= ?))"

// claimRows claims those of the rows read as due that still are, in one UPDATE guarded by
// stillDue, and returns the intents it changed. Rows read under a lock (SKIP LOCKED, or
// SQLite's single writer) are all changed and returned as read; otherwise the intents are read
// back by the claim's token, which no other claim has.
func (s *Store) claimRows(ctx context.Context, rows []intentRow, c claimLease, now time.Time) ([]models.Intent, error) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	args := appendIDs([]any{string(models.IntentSending), c.token, c.until}, ids)
	res, err := s.pool(ctx).ExecContext(ctx, "UPDATE intents SET state = ?, claimed_by = ?, claimed_until = ?, "+
		"attempts = attempts + 1 WHERE id IN ("+placeholders(len(ids))+") AND "+stillDue, append(args, now, now)...)
	if err != nil {
		return nil, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return nil, err
	}
	if n == int64(len(rows)) && (s.skipLocked || s.driver == DriverSQLite) {
		return claimedAsRead(rows, c.token), nil
	}
	return s.readClaimed(ctx, ids, c.token)
}

// claimedAsRead returns rows read under a lock as the claim's intents: sending, one more attempt.
func claimedAsRead(rows []intentRow, token string) []models.Intent {
	out := make([]models.Intent, len(rows))
	for i, r := range rows {
		r.State, r.Attempts = string(models.IntentSending), r.Attempts+1
		out[i] = r.toIntent()
		out[i].Claim = token
	}
	return out
}

// readClaimed reads back, by primary key, those of ids that the claim of token holds, in the
// order of ids (the due order).
func (s *Store) readClaimed(ctx context.Context, ids []int64, token string) ([]models.Intent, error) {
	var got []intentRow
	err := s.conn(ctx).Where("id IN ? AND claimed_by = ? AND state = ?", ids, token, string(models.IntentSending)).
		Find(&got).Error
	if err != nil {
		return nil, err
	}
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		at[id] = i
	}
	slices.SortFunc(got, func(a, b intentRow) int { return at[a.ID] - at[b.ID] })
	out := make([]models.Intent, len(got))
	for i, r := range got {
		out[i] = r.toIntent()
		out[i].Claim = token
	}
	return out, nil
}

// MarkSent records that the holder of claim (an intent's Claim token) delivered intent id. It
// returns models.EConflict when that claim no longer holds the intent (its lease ran out and
// another claim took it); calling it again after success returns nil.
func (s *Store) MarkSent(ctx context.Context, id int64, claim string) error {
	return s.finishClaim(ctx, id, claim, models.IntentSent, "sent_at = ?", models.EventTime(time.Now()))
}

// MarkRetry puts intent id back in the queue for another attempt at next, keeping err as its
// last error; a retry takes no new turn under the recipient's rate limit (it is paced). Like
// MarkSent it is guarded by the claim and idempotent.
func (s *Store) MarkRetry(ctx context.Context, id int64, claim string, next time.Time, errText string) error {
	return s.finishClaim(ctx, id, claim, models.IntentPending, "paced = TRUE, next_attempt_at = ?, last_error = ?",
		models.EventTime(next), clip(errText))
}

// MarkFailed gives up on intent id, keeping err as its last error: it stays visible as failed.
// Like MarkSent it is guarded by the claim and idempotent.
func (s *Store) MarkFailed(ctx context.Context, id int64, claim string, errText string) error {
	return s.finishClaim(ctx, id, claim, models.IntentFailed, "last_error = ?", clip(errText))
}

// ReleaseIntents hands back intents held by claim (their Claim token) that were not tried (at
// shutdown): they are due again at once and the attempt claimed for them is not counted.
// Intents the claim no longer holds are left alone.
func (s *Store) ReleaseIntents(ctx context.Context, claim string, ids []int64) error {
	return s.unclaim(ctx, claim, ids, "paced", "?", models.EventTime(time.Now()))
}

// Deferral says when one claimed intent that was not tried is due again.
type Deferral struct {
	ID   int64
	Next time.Time
}

// DeferIntents hands back, in one statement, intents held by claim that were not tried (a rate
// limit gave them a later turn), each due again at its own Next, paced and without counting
// their attempts. Intents the claim no longer holds are left alone.
func (s *Store) DeferIntents(ctx context.Context, claim string, ds []Deferral) error {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	next, args := nextByID(ds)
	return s.unclaim(ctx, claim, ids, "TRUE", next, args...)
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

// unclaim makes intents claim holds pending again at next (SQL giving the time, with its
// arguments), paced as the SQL paced says, and uncounts their claimed attempt (plain SQL: rate
// limits defer many intents).
func (s *Store) unclaim(ctx context.Context, claim string, ids []int64, paced, next string, nextArgs ...any) error {
	if len(ids) == 0 {
		return nil
	}
	args := append(nextArgs, string(models.IntentPending))
	args = appendIDs(args, ids)
	args = append(args, string(models.IntentSending), claim)
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
// their arguments), only while claim holds it; an intent already in that state by that claim's
// hand counts as done (plain SQL: once per delivered notification).
func (s *Store) finishClaim(ctx context.Context, id int64, claim string, state models.IntentState, set string, setArgs ...any) error {
	args := append([]any{string(state)}, setArgs...)
	args = append(args, id, string(models.IntentSending), claim)
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
	return s.claimEnded(ctx, id, claim, state)
}

// claimEnded tells, after a guarded update changed nothing, whether claim had already moved the
// intent to state (done: nil) or no longer holds it (models.EConflict).
func (s *Store) claimEnded(ctx context.Context, id int64, claim string, state models.IntentState) error {
	var cur struct {
		State     string
		ClaimedBy string
	}
	if err := s.conn(ctx).Table("intents").Select("state, claimed_by").Where("id = ?", id).Take(&cur).Error; err != nil {
		return translate(err, "notification")
	}
	if cur.State == string(state) && cur.ClaimedBy == claim {
		return nil
	}
	return models.Errorf(models.EConflict, "notification %d is no longer held by claim %s", id, claim)
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
