package probe

// DefaultRouteTarget is the prefix a route probe tries to add a route to
// when its Spec sets no Target (part of a documentation range).
const DefaultRouteTarget = "198.51.100.128/25"
