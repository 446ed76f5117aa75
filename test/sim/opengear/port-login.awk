# The login a connection used, from the simulated Opengear's sshd debug log (see port-session.ts
# for why the log): run with -v opening="Connection from IP port PORT " (the client's address and
# port, from SSH_CONNECTION). Prints the user of the first userauth-request after the last line
# opening that connection (client ports are reused), or nothing.
index($0, opening) == 1 { inside = 1; found = ""; next }
inside && found == "" && match($0, /userauth-request for user [^ ]+ service /) {
  found = substr($0, RSTART + 26, RLENGTH - 26 - 9)
}
END { print found }
