package verify

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// JUnit XML, as CI systems read it: one test case per battery case; a
// BROKEN case is a failure, a case that could not run an error, and an
// informational case passes with its report in system-out.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Class   string        `xml:"classname,attr"`
	Name    string        `xml:"name,attr"`
	Time    string        `xml:"time,attr"`
	Failure *junitProblem `xml:"failure,omitempty"`
	Error   *junitProblem `xml:"error,omitempty"`
	Out     string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes rs as one JUnit test suite called suite.
func WriteJUnit(w io.Writer, suite string, rs []Result) error {
	s := junitSuite{Name: suite, Tests: len(rs)}
	for _, r := range rs {
		group, name, ok := strings.Cut(r.Case.Name, "/")
		if !ok {
			group, name = "rbm", r.Case.Name
		}
		c := junitCase{Class: "rbm.verify." + group, Name: name, Time: fmt.Sprintf("%.3f", time.Duration(r.Observed.Elapsed).Seconds())}
		detail := describe(r)
		switch r.Verdict {
		case Broken:
			s.Failures++
			c.Failure = &junitProblem{Message: "BROKEN: " + r.Why, Text: detail}
		case NotRun:
			s.Errors++
			c.Error = &junitProblem{Message: "could not run: " + r.Why, Text: detail}
		default:
			c.Out = string(r.Verdict) + "\n" + detail
		}
		s.Cases = append(s.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitSuite{s}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// describe is what a person reading a CI report needs of one case.
func describe(r Result) string {
	d := fmt.Sprintf("tried: %s\nexpected: %s\nobserved: %s\nrules moved: %s\n",
		r.Case.Tried, r.Case.Expect.Text, Observed(r.Observed), strings.Join(Telling(r.Moved), " "))
	if r.Rule != "" {
		d += "verdict rests on: " + r.Rule + "\n"
	}
	return d
}
