package probe

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// maxBody bounds what an http-raw probe reads of one answer's body.
const maxBody = 1 << 20

// probeHTTPRaw writes s.Requests one after another on one connection,
// each once the answer to the one before was read, as a keep-alive client
// does. The outcome is the last request's: Connected when it was
// answered. An earlier request left unanswered is an Error: the probe
// could not show what the later ones get.
func probeHTTPRaw(ctx context.Context, s Spec) Result {
	if len(s.Requests) == 0 {
		return Result{Outcome: Error, Detail: "http-raw probe: no requests"}
	}
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.Target)
	if err != nil {
		return failed(err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	// The server's bytes are bounded as a whole: heads and bodies alike.
	br := bufio.NewReader(io.LimitReader(c, int64(len(s.Requests))*2*maxBody))
	var answers []string
	for i, req := range s.Requests {
		status, err := exchange(c, br, req)
		if err != nil {
			r := failed(err)
			if i < len(s.Requests)-1 {
				r.Outcome = Error
			}
			r.Detail = fmt.Sprintf("request %d of %d: %v (answered before: %s)", i+1, len(s.Requests), err, strings.Join(answers, ", "))
			return r
		}
		answers = append(answers, status)
	}
	return Result{Outcome: Connected, Detail: "answered: " + strings.Join(answers, ", ")}
}

// exchange writes req and reads its answer whole, so the next request
// starts on a clean connection; it returns the status.
func exchange(c net.Conn, br *bufio.Reader, req string) (string, error) {
	if _, err := io.WriteString(c, req); err != nil {
		return "", err
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody)); err != nil {
		return "", err
	}
	return resp.Status, nil
}
