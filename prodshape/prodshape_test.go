package prodshape

import "testing"

// Temporal's Postgres schema keeps membership ports in a smallint: a server on a
// port past 32767 dies at start, so every port of the run must stay below it.
func TestFreePortRunStaysInSmallint(t *testing.T) {
	for range 50 {
		base, err := FreePortRun(9)
		if err != nil {
			t.Fatal(err)
		}
		if base < 1024 || base+8 > 32767 {
			t.Fatalf("FreePortRun(9) = %d: ports %d..%d, want all in 1024..32767", base, base, base+8)
		}
	}
}
