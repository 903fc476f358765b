// Command gocheck checks what the Roadmap Ledger serves with Go's reference implementation of
// signed notes and transparency logs (golang.org/x/mod/sumdb/note and sumdb/tlog), code that
// no one on this project wrote.
//
// It reads one JSON document on stdin:
//
//	{"vkey": "<the log's verifier key>",
//	 "checkpoints": ["<signed note>", ...],  note.Open must accept each
//	 "tampered": ["<signed note>", ...],     note.Open must refuse each
//	 "bundles": ["<tlog-proof@v1>", ...],    the checkpoint opens, tlog.CheckRecord accepts
//	 "consistency": [{"first": m, "second": n, "proof": ["<base64>", ...]}]}
//	                                         tlog.CheckTree accepts, between the roots of the
//	                                         checkpoints of m and n leaves
//
// and prints one line of counts, or the first failure on stderr with exit status 1.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type input struct {
	Vkey        string   `json:"vkey"`
	Checkpoints []string `json:"checkpoints"`
	Tampered    []string `json:"tampered"`
	Bundles     []string `json:"bundles"`
	Consistency []struct {
		First  int64    `json:"first"`
		Second int64    `json:"second"`
		Proof  []string `json:"proof"`
	} `json:"consistency"`
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "gocheck: "+format+"\n", args...)
	os.Exit(1)
}

// open checks the note's signature with note.Open and reads the checkpoint in its text.
func open(msg string, verifiers note.Verifiers, origin string) (tlog.Tree, error) {
	n, err := note.Open([]byte(msg), verifiers)
	if err != nil {
		return tlog.Tree{}, err
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != origin {
		return tlog.Tree{}, fmt.Errorf("not a checkpoint of %q: %q", origin, n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || strconv.FormatInt(size, 10) != lines[1] {
		return tlog.Tree{}, fmt.Errorf("bad tree size %q", lines[1])
	}
	root, err := hash(lines[2])
	if err != nil {
		return tlog.Tree{}, err
	}
	return tlog.Tree{N: size, Hash: root}, nil
}

func hash(b64 string) (tlog.Hash, error) {
	var h tlog.Hash
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != tlog.HashSize {
		return h, fmt.Errorf("not a base64 SHA-256 hash: %q", b64)
	}
	copy(h[:], raw)
	return h, nil
}

// bundle checks a tlog-proof@v1: its checkpoint with note.Open, its path with tlog.CheckRecord
// from the record hash of its extra data.
func bundle(text string, verifiers note.Verifiers, origin string) error {
	proofPart, checkpoint, found := strings.Cut(text, "\n\n")
	if !found {
		return fmt.Errorf("no blank line")
	}
	lines := strings.Split(proofPart, "\n")
	if lines[0] != "c2sp.org/tlog-proof@v1" || len(lines) < 3 {
		return fmt.Errorf("not a tlog-proof@v1")
	}
	extra, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(lines[1], "extra "))
	if err != nil || !strings.HasPrefix(lines[1], "extra ") {
		return fmt.Errorf("no extra data: %q", lines[1])
	}
	if !strings.HasPrefix(lines[2], "index ") {
		return fmt.Errorf("no index: %q", lines[2])
	}
	index, err := strconv.ParseInt(strings.TrimPrefix(lines[2], "index "), 10, 64)
	if err != nil {
		return err
	}
	var proof tlog.RecordProof
	for _, line := range lines[3:] {
		h, err := hash(line)
		if err != nil {
			return err
		}
		proof = append(proof, h)
	}
	t, err := open(checkpoint, verifiers, origin)
	if err != nil {
		return fmt.Errorf("checkpoint: %v", err)
	}
	return tlog.CheckRecord(proof, t.N, t.Hash, index, tlog.RecordHash(extra))
}

func main() {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("%v", err)
	}
	var in input
	if err := json.Unmarshal(data, &in); err != nil {
		fail("input: %v", err)
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(in.Vkey))
	if err != nil {
		fail("verifier key %q: %v", in.Vkey, err)
	}
	verifiers := note.VerifierList(verifier)
	origin := verifier.Name()

	trees := map[int64]tlog.Tree{}
	for _, msg := range in.Checkpoints {
		t, err := open(msg, verifiers, origin)
		if err != nil {
			fail("note.Open refused a served checkpoint: %v\n%s", err, msg)
		}
		trees[t.N] = t
	}
	for _, msg := range in.Tampered {
		if _, err := note.Open([]byte(msg), verifiers); err == nil {
			fail("note.Open accepted a tampered checkpoint:\n%q", msg)
		}
	}
	for _, text := range in.Bundles {
		if err := bundle(text, verifiers, origin); err != nil {
			fail("bundle refused: %v\n%s", err, text)
		}
	}
	for _, c := range in.Consistency {
		old, okOld := trees[c.First]
		cur, okCur := trees[c.Second]
		if !okOld || !okCur {
			fail("no checkpoint of %d or %d leaves was given", c.First, c.Second)
		}
		var proof tlog.TreeProof
		for _, line := range c.Proof {
			h, err := hash(line)
			if err != nil {
				fail("%v", err)
			}
			proof = append(proof, h)
		}
		if err := tlog.CheckTree(proof, cur.N, cur.Hash, old.N, old.Hash); err != nil {
			fail("tlog.CheckTree refused %d -> %d: %v", c.First, c.Second, err)
		}
	}
	fmt.Printf("ok: %d checkpoints opened, %d tampered refused, %d bundles, %d consistency proofs\n",
		len(in.Checkpoints), len(in.Tampered), len(in.Bundles), len(in.Consistency))
}
