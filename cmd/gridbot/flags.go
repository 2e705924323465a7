package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
)

// newFlags makes a command's flag set whose usage is text followed by the flags' defaults.
func newFlags(name, text string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), text)
		if hasFlags(fs) {
			fmt.Fprintln(fs.Output(), "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// hasFlags reports whether fs defines any flag.
func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parseFlags parses args: help asked for with -h, -help or --help goes to stdout (and the
// command then ends with flag.ErrHelp, which run turns into success); a mistake and the usage
// go to stderr.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	var buf bytes.Buffer
	fs.SetOutput(&buf)
	err := fs.Parse(args)
	fs.SetOutput(stderr) // later fs.Usage() calls report a mistake
	out := stderr
	if errors.Is(err, flag.ErrHelp) {
		out = stdout
	}
	fmt.Fprint(out, buf.String())
	return err
}

// parseArgs parses flags placed before, between or after the positional arguments and returns those.
func parseArgs(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args, stdout, stderr); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(positional, rest...), nil // everything after -- is positional
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
}

// isHelp reports whether a command word asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}
