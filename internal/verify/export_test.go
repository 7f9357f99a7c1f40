package verify

// What the external tests (the lab batteries, package verify_test, which
// import labverify and so cannot live in package verify) need of the
// package's own test tables and report types.
var (
	EgressModes    = egressModes
	DNSModes       = dnsModes
	InterceptModes = interceptModes
)

// JUnitSuites is the JUnit report's root element, to read a report back.
type JUnitSuites = junitSuites
