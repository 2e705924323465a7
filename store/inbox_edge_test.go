package store_test

import (
	"database/sql"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"gridbot/models"
	"gridbot/store"
	"gridbot/store/storetest"
)

// TestAddInboundBatchRefusesOnlyTheBadRows stores 100 good messages of 100 people in one batch
// with messages that cannot be stored (a NaN coordinate, which JSON cannot encode, and values
// over the inbox's columns): those alone are refused, each of the 100 is stored whole.
func TestAddInboundBatchRefusesOnlyTheBadRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Now()
		good := func(i int) models.Inbound {
			return models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-good-" + strconv.Itoa(i), MsgID: int64(5000 + i),
				MsgType: models.MsgText, Content: "路灯坏了" + strconv.Itoa(i), CreateTime: now.Unix(), ReceivedAt: now}
		}
		bads := []struct {
			name string
			in   models.Inbound
		}{
			{"NaN latitude", models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-bad", MsgID: 1, MsgType: models.MsgLocation,
				Lat: math.NaN(), Lng: 118.5, ReceivedAt: now}},
			{"+Inf longitude", models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-bad", MsgID: 2, MsgType: models.MsgLocation,
				Lat: 24.7, Lng: math.Inf(1), ReceivedAt: now}},
			{"openid of 65 characters", models.Inbound{Channel: models.ChannelWeChat, OpenID: strings.Repeat("o", 65), MsgID: 3,
				MsgType: models.MsgText, Content: "x", ReceivedAt: now}},
			{"msg type of 33 characters", models.Inbound{Channel: models.ChannelWeChat, OpenID: "o-bad", MsgID: 4,
				MsgType: strings.Repeat("t", 33), ReceivedAt: now}},
			{"event key over dedup_key", models.Inbound{Channel: models.ChannelWeChat, OpenID: strings.Repeat("o", 64),
				MsgType: models.MsgEvent, Event: strings.Repeat("e", 130), CreateTime: now.Unix(), ReceivedAt: now}},
			{"openid not UTF-8", models.Inbound{Channel: models.ChannelWeChat, OpenID: "o\xff\xfe", MsgID: 6,
				MsgType: models.MsgText, ReceivedAt: now}},
		}
		for bi, bad := range bads {
			t.Run(bad.name, func(t *testing.T) {
				msgs := make([]models.Inbound, 0, 101)
				for i := range 100 {
					if i == 37 {
						msgs = append(msgs, bad.in)
					}
					msgs = append(msgs, good(bi*100+i))
				}
				got, err := s.AddInboundBatch(ctx, msgs)
				if err != nil {
					t.Fatalf("the batch failed: %v", err)
				}
				for i, r := range got {
					if i == 37 {
						if models.ErrorCodeOf(r.Err) != models.EInvalid || r.New {
							t.Errorf("the bad message: %+v, want refused as invalid", r)
						}
						continue
					}
					if r.Err != nil || !r.New || r.Entry.Message.Content != msgs[i].Content {
						t.Errorf("message %d: %+v", i, r)
					}
				}
				if n, _ := s.InboxCount(ctx); n != int64(100*(bi+1)) {
					t.Fatalf("inbox holds %d entries, want %d", n, 100*(bi+1))
				}
				// Each good one is stored whole, under its own key.
				e, fresh, err := s.AddInbound(ctx, msgs[90])
				if err != nil || fresh || e.Message.OpenID != msgs[90].OpenID || e.Message.Content != msgs[90].Content {
					t.Fatalf("stored %+v, %v, %v", e, fresh, err)
				}
				if _, _, err := s.AddInbound(ctx, bad.in); models.ErrorCodeOf(err) != models.EInvalid {
					t.Fatalf("AddInbound of the bad message alone = %v, want invalid", err)
				}
			})
		}
	})
}

// TestInboxKeepsValuesAtTheColumnLimit stores an openid of 64 four-byte characters and a
// message type of 32: read back unchanged, nothing cut.
func TestInboxKeepsValuesAtTheColumnLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		in := models.Inbound{Channel: models.ChannelWeCom, OpenID: strings.Repeat("𠀀", 64), MsgID: 9,
			MsgType: strings.Repeat("t", 32), ReceivedAt: time.Now()}
		e, fresh, err := s.AddInbound(ctx, in)
		if err != nil || !fresh {
			t.Fatal(fresh, err)
		}
		back, err := s.InboxEntry(ctx, e.ID)
		if err != nil || back.Message.OpenID != in.OpenID || back.Message.MsgType != in.MsgType {
			t.Fatalf("read back %+v, %v", back.Message, err)
		}
		pending, err := s.PendingInbound(ctx, time.Now().Add(time.Minute), 10)
		if err != nil || len(pending) != 1 || pending[0].DedupKey != in.DedupKey() {
			t.Fatalf("pending %+v, %v", pending, err)
		}
	})
}

// mysqlWithDSN is a migrated store on a new MySQL database and a plain connection to the same
// database through the store's DSN settings.
func mysqlWithDSN(t *testing.T, extra string) (*store.Store, *sql.DB) {
	t.Helper()
	dsn := storetest.NewMySQLDatabase(t)
	s, err := store.Open(ctx, store.Options{Driver: store.DriverMySQL, DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	norm, err := store.NormalizeMySQLDSN(dsn + sep + extra)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("mysql", norm)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return s, db
}

// TestMySQLConnectionsAreStrict proves that every connection runs in strict mode, even when the
// DSN asks for a lax one: an over-long value is an error, not a warning and a cut value.
func TestMySQLConnectionsAreStrict(t *testing.T) {
	_, db := mysqlWithDSN(t, "sql_mode=%27%27")
	var mode string
	if err := db.QueryRowContext(ctx, "SELECT @@SESSION.sql_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"STRICT_ALL_TABLES", "STRICT_TRANS_TABLES", "NO_ZERO_DATE", "ERROR_FOR_DIVISION_BY_ZERO"} {
		if !strings.Contains(mode, want) {
			t.Errorf("sql_mode %q lacks %s", mode, want)
		}
	}
	_, err := db.ExecContext(ctx, "INSERT INTO colloquial (position, say, means) VALUES (1, ?, 'x')", strings.Repeat("话", 65))
	if err == nil || !strings.Contains(err.Error(), "1406") {
		t.Fatalf("an over-long value inserted: %v, want error 1406", err)
	}
	// What INSERT IGNORE does even so: it cuts with a warning. Hence the inbox's own checks.
	res, err := db.ExecContext(ctx, "INSERT IGNORE INTO colloquial (position, say, means) VALUES (2, ?, 'x')", strings.Repeat("话", 65))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("INSERT IGNORE affected %d rows", n)
	}
	var say string
	if err := db.QueryRowContext(ctx, "SELECT say FROM colloquial WHERE position = 2").Scan(&say); err != nil {
		t.Fatal(err)
	}
	if say != strings.Repeat("话", 64) {
		t.Fatalf("INSERT IGNORE stored %d characters", len([]rune(say)))
	}
}

// TestInboundLimitsFitTheColumns compares each inbound field's limit with the column it is
// stored in, as the migrated MySQL schema says.
func TestInboundLimitsFitTheColumns(t *testing.T) {
	_, db := mysqlWithDSN(t, "")
	for _, l := range models.InboundLimits() {
		if l.Column == "" {
			continue
		}
		table, column, _ := strings.Cut(l.Column, ".")
		var chars, octets int64
		err := db.QueryRowContext(ctx, `SELECT CHARACTER_MAXIMUM_LENGTH, CHARACTER_OCTET_LENGTH FROM information_schema.COLUMNS
			WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?`, table, column).Scan(&chars, &octets)
		if err != nil {
			t.Fatalf("%s: %v", l.Column, err)
		}
		size := chars // VARCHAR(n) holds n characters
		if l.Bytes {
			size = octets
		}
		if int64(l.Max) > size {
			t.Errorf("%s accepts %d, %s holds %d", l.Field, l.Max, l.Column, size)
		}
	}
}
