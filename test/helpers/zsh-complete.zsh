# Used by test/e2e/conventions-cli.test.ts: zsh completes only inside its line editor, so the test
# types into a real interactive zsh on a pseudo-terminal (zsh/zpty) and reads the screen.
# Drives an interactive zsh in a pseudo-terminal: loads the completion script $1, types the
# words of $2 followed by Tab twice, and prints what the terminal showed once $3 appears.
zmodload zsh/zpty
zpty z 'TERM=dumb zsh -f -i'
zpty -w z "autoload -U compinit; compinit -u -D; source ${(q)1}; PS1='RE''ADY> '"
zpty -r -m z out '*READY> *' || exit 2
zpty -w -n z "$2"$'\t\t'
zpty -r -m z out "*$3*" || exit 3
print -r -- "$out"
zpty -d z
