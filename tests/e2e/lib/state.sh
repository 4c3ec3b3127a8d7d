# shellcheck shell=bash disable=SC2154 # G and tmp come from common.sh
# What an index answers, for the crash-safety tests (torture.sh,
# full_disk.sh): two indexes that answer alike give identical files.
# Sourced after common.sh (uses G and tmp).

# state_queries FILE: the query set on Reuters-21578, FLAGS|QUERY per line:
# words, a phrase, a sloppy phrase, AND, a negation, boolean groups, a
# title field, entity fields, a prefix, date filters, every document, the
# marker words the tests put into changed (zyzzyva) and new (quagga)
# documents, a very common word, --all and a date sort.
state_queries() {
    cat >"$1" <<'EOF'
|oil
|"crude oil"
|+oil +prices
|+oil -opec
|wheat OR corn
|(bank OR banks) AND rate NOT dollar
|shares stake acquisition
|"trade deficit"~2
|title:cocoa
|person:reagan
|place:japan
|org:opec
|petrol*
|date:1987-03-01..1987-03-10 coffee
|*:*
|"bank of england"
|zyzzyva
|quagga
|the
--all|sugar export
--since 1987-04-01|dividend
--sort date|gold
EOF
}

# answers DIR QUERIES OUT: per query of QUERIES its exit status, total and
# top 10 (id:score) from gazette search --json, or the first line of its
# error with the directory's name replaced by IDX (the outputs are parsed
# in one pass at the end: a test calls this often)
answers() {
    local flags q st
    local -a f
    : >"$tmp/ans.raw"
    while IFS='|' read -r flags q; do
        read -ra f <<<"$flags"
        st=0
        "$G" search -i "$1" --json -n 10 "${f[@]}" -- "$q" >>"$tmp/ans.raw" 2>&1 || st=$?
        printf '@@@%s %s\t%s\n' "$flags" "$q" "$st" >>"$tmp/ans.raw"
    done <"$2"
    awk -v dir="$1" '
        /^@@@/ {
            split(substr($0, 4), p, "\t")
            printf "%s\t%s\t%s\n", p[1], p[2], (p[2] > 1 ? err : hits)
            hits = err = ""
            next
        }
        /^{/ {
            if (match($0, /"id":"[^"]*","score":[^,]*/)) {
                h = substr($0, RSTART + 6, RLENGTH - 6)
                sub(/","score":/, ":", h)
                hits = hits h " "
            }
            if (match($0, /"total":[0-9]*/))
                hits = hits substr($0, RSTART, RLENGTH) " "
            next
        }
        err == "" {
            e = $0
            while ((i = index(e, dir)) > 0)
                e = substr(e, 1, i - 1) "IDX" substr(e, i + length(dir))
            err = e
        }' "$tmp/ans.raw" >"$3"
}

# generation DIR: the committed generation (gazette stats), none when there
# is no index yet, or the error
generation() {
    if "$G" stats -i "$1" --json >"$tmp/gen.out" 2>"$tmp/gen.err"; then
        grep -o '"generation":[0-9]*' "$tmp/gen.out" | cut -d: -f2
    elif grep -q 'no index here' "$tmp/gen.err"; then
        echo none
    else
        echo "error: $(head -1 "$tmp/gen.err")"
    fi
}

# checked DIR: gazette check's verdict: ok, none (no index yet, exactly the
# message of a directory never indexed) or its exit status and error
checked() {
    local st=0
    "$G" check -i "$1" >"$tmp/chk.out" 2>"$tmp/chk.err" || st=$?
    if [ "$st" = 0 ]; then
        echo ok
    elif [ "$st" = 2 ] && [ "$(cat "$tmp/chk.err")" = \
        "gazette: $1: no index here (run gazette index first)" ]; then
        echo none
    else
        echo "exit $st: $(head -3 "$tmp/chk.err")"
    fi
}
