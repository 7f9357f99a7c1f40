package main

import "golang.org/x/sys/unix"

// ioctlReadTermios reads a terminal's attributes (isTerminal asks it).
const ioctlReadTermios = unix.TIOCGETA
