package main

import (
	"io"
	"testing"
)

func TestNotifyOptions(t *testing.T) {
	tests := []struct {
		args               []string
		spawn, embedded    bool
		concurrency, users int
		fails              bool
	}{
		{args: []string{"--notify"}, spawn: true, concurrency: 32, users: 32},
		{args: []string{"--notify", "--embedded"}, embedded: true, concurrency: 32, users: 32},
		{args: []string{"--notify", "--concurrency", "8"}, spawn: true, concurrency: 8, users: 8},
		{args: []string{"--notify", "--users", "100"}, spawn: true, concurrency: 32, users: 100},
		{args: []string{"--notify", "--users", "16"}, spawn: true, concurrency: 16, users: 16},
		{args: []string{"--spawn"}, spawn: true, concurrency: 64, users: 64},
		{args: []string{"--notify", "--target", "http://127.0.0.1:8080"}, fails: true},
	}
	for _, tt := range tests {
		o, err := parseOptions(tt.args, io.Discard)
		if tt.fails {
			if err == nil {
				t.Errorf("%v: accepted", tt.args)
			}
			continue
		}
		if err != nil || o.spawn != tt.spawn || o.embedded != tt.embedded || o.concurrency != tt.concurrency || o.users != tt.users {
			t.Errorf("%v: spawn %v, embedded %v, concurrency %d, users %d, err %v", tt.args, o.spawn, o.embedded,
				o.concurrency, o.users, err)
		}
	}
}
