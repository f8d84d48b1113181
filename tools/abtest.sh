#!/usr/bin/env bash
# abtest.sh compares two builds of Go benchmarks that report a CPU-per-operation metric
# ("cpu-µs/msg" in bench/, "cpu-us/op" in storage/) on a shared, noisy machine: it runs A and
# B alternately N times and prints, per benchmark, the median of the N ratios B/A of adjacent
# runs. The machine's speed drifts by ±15 % over minutes (BENCHMARKS.md); adjacent runs share
# the drift, so their ratio is steadier than either figure.
#
#   go test -c -o /tmp/a.test ./bench     # at the base commit
#   go test -c -o /tmp/b.test ./bench     # with the change
#   tools/abtest.sh 6 'BenchmarkTurn$|BenchmarkDocumentRequest' 15000x /tmp/a.test /tmp/b.test
set -euo pipefail
if [ $# -ne 5 ]; then
	echo "usage: $0 N BENCH_REGEX BENCHTIME A.test B.test" >&2
	exit 2
fi
n=$1 re=$2 bt=$3 a=$4 b=$5

# cpu prints "name value" for each benchmark line of a run of test binary $1.
cpu() {
	"$1" -test.run='^$' -test.bench="$re" -test.benchtime="$bt" 2>/dev/null |
		awk '/^Benchmark/ { for (i = 2; i < NF; i++) if ($(i+1) == "cpu-µs/msg" || $(i+1) == "cpu-us/op") print $1, $i }'
}

for _ in $(seq "$n"); do
	paste -d' ' <(cpu "$a") <(cpu "$b")
done | awk '
{
	# $1 $2: the name and figure of A; $3 $4: those of B
	r[$1] = r[$1] " " $4 / $2
	printf "%-45s A %8s  B %8s  B/A %.3f\n", $1, $2, $4, $4 / $2
}
END {
	for (name in r) {
		k = split(substr(r[name], 2), v, " ")
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		med = k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
		printf "%s: B/A median %.3f over %d pairs\n", name, med, k
	}
}'
