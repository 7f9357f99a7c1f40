package httphead

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// valid are requests the package accepts, one each; together they are one
// keep-alive connection. Several hide a request for evil.test in a body.
var valid = []string{
	"GET / HTTP/1.1\r\nHost: a.test\r\n\r\n",
	"GET /x?y=1 HTTP/1.1\r\nHost: Mixed.Case.TEST:8080\r\nUser-Agent: t\r\nAccept: */*\r\n\r\n",
	"GET /x HTTP/1.1\r\nHost: dot.test.\r\n\r\n",
	"GET http://abs.test/p HTTP/1.1\r\nHost: abs.test\r\n\r\n",
	"GET http://ABS.test:8080/p HTTP/1.1\r\nHost: abs.test:8080\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: 192.0.2.7:80\r\n\r\n",
	"GET / HTTP/1.1\r\nHost:under_score.test\r\n\r\n",
	"GET / HTTP/1.1\r\nHost:   spaces.test  \r\nX-Tab:\tv\t\r\n\r\n",
	"POST /form HTTP/1.1\r\nHost: post.test\r\nContent-Length: 35\r\n\r\nGET / HTTP/1.1\r\nHost: evil.test\r\n\r\n",
	"POST /zero HTTP/1.1\r\nHost: zero.test\r\nContent-Length: 0\r\n\r\n",
	"PUT /c HTTP/1.1\r\nHost: chunk.test\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"5;name=\"v\"\r\nhello\r\n23\r\nGET / HTTP/1.1\r\nHost: evil.test\r\n\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
	"POST /t HTTP/1.1\r\nHost: trailer.test\r\nTransfer-Encoding: CHUNKED\r\nTrailer: X-Sum\r\n\r\n" +
		"3\r\nabc\r\n0\r\nX-Sum: 42\r\n\r\n",
	"DELETE /d HTTP/1.1\r\nHost: delete.test\r\nContent-Length: 3\r\nX-Obs: caf\xc3\xa9\r\n\r\nabc",
	"GET /ws HTTP/1.1\r\nHost: ws.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: options.test\r\n\r\n",
	"GET / HTTP/1.0\r\nHost: old.test\r\nConnection: keep-alive\r\n\r\n",
	"POST / HTTP/1.0\r\nHost: old-body.test\r\nContent-Length: 4\r\n\r\nGET ",
	"GET /last HTTP/1.1\r\nHost: last.test\r\nConnection: close\r\n\r\n",
}

// readAll reads requests with net/http until it errors or the input ends,
// draining each body, and returns their normalised hosts and how it ended
// (io.EOF: the input ended between requests).
func readAll(in []byte) ([]string, error) {
	br := bufio.NewReader(bytes.NewReader(in))
	var got []string
	for range maxRun {
		req, err := http.ReadRequest(br)
		if err != nil {
			return got, err
		}
		got = append(got, normHost(req.Host))
		if _, err := io.Copy(io.Discard, req.Body); err != nil {
			return got, err
		}
	}
	return got, nil
}

// TestAgreesWithReadRequest: for each valid request and for all of them in
// one stream, net/http reads the same requests with the same hosts, and
// ends where the stream ends.
func TestAgreesWithReadRequest(t *testing.T) {
	for _, in := range append(slices.Clone(valid), strings.Join(valid, "")) {
		res := run(strings.NewReader(in))
		if res.err != io.EOF || string(res.out) != in {
			t.Fatalf("%q: stream: %v", in, res.err)
		}
		got, err := readAll([]byte(in))
		if err != io.EOF || !slices.Equal(got, hosts(res.reqs)) {
			t.Errorf("%q: net/http read %q (%v), the stream %q", in, got, err, hosts(res.reqs))
		}
	}
}

// TestServerSeesCheckedHosts sends what the stream forwarded to a real
// net/http server over one keep-alive connection: the server must see
// exactly the requests, with the hosts, that the stream returned. OPTIONS *
// (answered by the server itself), HTTP/1.0 and close (which end the
// connection) are left out.
func TestServerSeesCheckedHosts(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, normHost(r.Host))
		mu.Unlock()
	}))
	defer srv.Close()
	var in string
	for _, v := range valid {
		if !strings.HasPrefix(v, "OPTIONS *") && !strings.Contains(v, "HTTP/1.0") && !strings.Contains(v, "close") {
			in += v
		}
	}
	res := run(strings.NewReader(in))
	if res.err != io.EOF {
		t.Fatal(res.err)
	}
	sendAll(t, srv.Listener.Addr().String(), res.out)
	mu.Lock()
	defer mu.Unlock()
	if want := hosts(res.reqs); len(want) < 10 || !slices.Equal(seen, want) {
		t.Errorf("server saw %q, the stream checked %q", seen, want)
	}
}

// sendAll writes b on one connection, closes the writing side and reads
// the responses to the end, so that every request has been handled.
func sendAll(t *testing.T, addr string, b []byte) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, c); err != nil {
		t.Fatal(err)
	}
}
