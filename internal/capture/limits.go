package capture

import "time"

// Limits bound a capture: it ends at whichever comes first.
type Limits struct {
	Count    int
	Duration time.Duration
}
