package main

import (
	"database/sql"
	"os/exec"
	"strconv"
	"fmt"
	"strings"
	"time"

	_ "github.com/go-sql-driver/mysql"
)

func main() {
	db, err := sql.Open("mysql", "root@tcp(127.0.0.1:3306)/?interpolateParams=true&multiStatements=true&parseTime=true")
	must(err)
	db.SetMaxOpenConns(1)
	_, err = db.Exec("DROP DATABASE IF EXISTS tmpx; CREATE DATABASE tmpx; USE tmpx; CREATE TABLE inbox (id BIGINT AUTO_INCREMENT PRIMARY KEY, dedup_key VARCHAR(191) NOT NULL UNIQUE, state VARCHAR(16) NOT NULL, reply TEXT NOT NULL, payload TEXT NOT NULL, attempts INT NOT NULL DEFAULT 0, done_at DATETIME(6) NULL) DEFAULT CHARSET=utf8mb4")
	must(err)
	const N = 100000
	for i := 0; i < N; i += 1000 {
		var sb strings.Builder
		sb.WriteString("INSERT INTO tmpx.inbox (dedup_key, state, reply, payload) VALUES ")
		for j := i; j < i+1000; j++ {
			if j > i {
				sb.WriteString(",")
			}
			fmt.Fprintf(&sb, "('wechat:msg:%019d','pending','','<xml>payload payload payload</xml>')", 1219312018524601347+j)
		}
		_, err := db.Exec(sb.String())
		must(err)
	}
	reply := "是否需要对您的身份保密？\n1 保密（办理人员看不到您的信息）\n2 不保密（便于办理人员联系您）"
	now := time.Now()
	const B = 300
	variants := []string{"case", "join", "tvc", "inlist", "multi"}
	for round := 0; round < 3; round++ {
		for vi, v := range variants {
			start := time.Now()
			c0 := cpu()
			const reps = 20
			for r := 0; r < reps; r++ {
				base := (round*len(variants)+vi)*reps*B + r*B
				keys := make([]string, B)
				for i := range keys {
					keys[i] = fmt.Sprintf("wechat:msg:%019d", 1219312018524601347+base+i)
				}
				q, args := build(v, keys, reply, now)
				_, err := db.Exec(q, args...)
				must(err)
			}
			fmt.Printf("%s: %.1f µs/row wall, mariadbd %.1f µs/row\n", v, float64(time.Since(start).Microseconds())/float64(reps*B), float64(cpu()-c0)*10000/float64(reps*B))
		}
	}
}

func build(v string, keys []string, reply string, now time.Time) (string, []any) {
	var args []any
	switch v {
	case "case":
		var st, rp, dn, ks strings.Builder
		for _, k := range keys { st.WriteString(" WHEN ? THEN ?"); args = append(args, k, "done") }
		for _, k := range keys { rp.WriteString(" WHEN ? THEN ?"); args = append(args, k, reply) }
		for _, k := range keys { dn.WriteString(" WHEN ? THEN ?"); args = append(args, k, now) }
		for i, k := range keys { if i > 0 { ks.WriteString(", ") }; ks.WriteString("?"); args = append(args, k) }
		return "UPDATE tmpx.inbox SET state = CASE dedup_key" + st.String() + " END, reply = CASE dedup_key" + rp.String() + " END, done_at = CASE dedup_key" + dn.String() + " END, attempts = attempts + 1 WHERE dedup_key IN (" + ks.String() + ")", args
	case "join":
		for _, k := range keys { args = append(args, k, "done", reply, now) }
		rows := "SELECT ? AS k, ? AS s, ? AS r, CAST(? AS DATETIME(6)) AS d" + strings.Repeat(" UNION ALL SELECT ?, ?, ?, ?", len(keys)-1)
		return "UPDATE tmpx.inbox JOIN (" + rows + ") AS v ON inbox.dedup_key = v.k SET inbox.state = v.s, inbox.reply = v.r, inbox.done_at = COALESCE(v.d, inbox.done_at), inbox.attempts = inbox.attempts + 1", args
	case "tvc":
		var sb strings.Builder
		sb.WriteString("UPDATE tmpx.inbox JOIN (VALUES ('k', 's', 'r', CAST(NULL AS DATETIME(6)))")
		for _, k := range keys { sb.WriteString(", (?, ?, ?, ?)"); args = append(args, k, "done", reply, now) }
		sb.WriteString(") AS v ON inbox.dedup_key = v.k SET inbox.state = v.s, inbox.reply = v.r, inbox.done_at = COALESCE(v.d, inbox.done_at), inbox.attempts = inbox.attempts + 1")
		q := strings.Replace(sb.String(), "v.d", "v.`CAST(NULL AS DATETIME(6))`", 1)
		return q, args
	case "inlist":
		args = append(args, "done", now)
		for _, k := range keys { args = append(args, k) }
		return "UPDATE tmpx.inbox SET state = ?, done_at = ?, attempts = attempts + 1 WHERE dedup_key IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(keys)), ", ") + ")", args
	default:
		var sb strings.Builder
		sb.WriteString("START TRANSACTION;")
		for _, k := range keys {
			sb.WriteString("UPDATE tmpx.inbox SET state = ?, reply = ?, done_at = COALESCE(?, done_at), attempts = attempts + 1 WHERE dedup_key = ?;")
			args = append(args, "done", reply, now, k)
		}
		sb.WriteString("COMMIT")
		return sb.String(), args
	}
}

func cpu() int64 {
	out, _ := exec.Command("sh", "-c", "cat /proc/$(pgrep -x mariadbd)/stat").Output()
	f := strings.Fields(string(out))
	u, _ := strconv.ParseInt(f[13], 10, 64)
	k, _ := strconv.ParseInt(f[14], 10, 64)
	return u + k
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
