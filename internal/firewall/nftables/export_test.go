package nftables

// Update exposes -update to the real-kernel tests of package nftables_test,
// which save captures of real output as test data.
func Update() bool { return *update }
