/* test_linkmodel.c - the link shaper's per-packet decisions (src/link/linkmodel.c): drop
 * lists, seeded independent and bursty loss against their long-run ratio and mean burst
 * length, calibration mode, and release times with and without reordering. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "linkmodel.h"

static void test_drops(void)
{
	struct lm_dir d;
	unsigned i, dropped = 0, third = 0;

	memset(&d, 0, sizeof d);
	CHECK_I(lm_parse_drops(&d, "4+3+10"), 0, "drop list 4+3+10 parses");
	CHECK_U(d.ndrops, 3, "three numbers");
	CHECK_U(d.drops[0], 3, "sorted: 3 first");
	CHECK_I(lm_parse_drops(&d, "3++4"), -1, "3++4 is refused");
	CHECK_I(lm_parse_drops(&d, "0"), -1, "0 is refused (packets count from 1)");
	CHECK_I(lm_parse_drops(&d, ""), -1, "an empty list is refused");
	CHECK_I(lm_parse_drops(&d, "3+"), -1, "a trailing + is refused");
	CHECK_I(lm_parse_drops(&d, "x"), -1, "a word is refused");
	CHECK_I(lm_parse_drops(&d, "3+4"), 0, "3+4 parses");
	d.burst = 1.0;
	lm_arm(&d, 7, 0);
	for (i = 1; i <= 10; i++) {
		enum lm_verdict v = lm_decide(&d, 0);

		dropped += v == LM_DROPPED;
		if (i == 3)
			third = v == LM_DROPPED;
	}
	CHECK_U(dropped, 2, "exactly two of ten packets dropped");
	CHECK(third, "the third packet is one of them");
	lm_arm(&d, 7, 0);
	for (i = 1; i <= 10; i++)
		CHECK(lm_decide(&d, 1) == LM_PASS, "calibration mode: packet %u passes", i);
	CHECK(lm_decide(&d, 0) == LM_PASS, "armed again: the first counted packet passes");
}

static void test_random_loss(void)
{
	struct lm_dir a, b;
	unsigned i, lost = 0, same = 1, n = 200000;

	memset(&a, 0, sizeof a);
	a.loss = 0.05;
	a.burst = 1.0;
	b = a;
	lm_arm(&a, 42, 0);
	lm_arm(&b, 42, 0);
	for (i = 0; i < n; i++) {
		enum lm_verdict va = lm_decide(&a, 0), vb = lm_decide(&b, 0);

		lost += va == LM_LOST;
		same &= va == vb;
	}
	CHECK(same, "the same seed gives the same losses");
	CHECK_NEAR((double)lost / n, 0.05, 0.003, "5%% loss: long-run ratio");
	lm_arm(&b, 43, 0);
	for (i = 0, same = 1; i < 1000; i++)
		same &= lm_decide(&a, 0) == lm_decide(&b, 0);
	CHECK(!same, "another seed gives other losses");
}

static void test_burst_loss(void)
{
	struct lm_dir d;
	unsigned i, lost = 0, bursts = 0, prev = 0, n = 400000;

	memset(&d, 0, sizeof d);
	d.loss = 0.02;
	d.burst = 4.0;
	lm_arm(&d, 5, 1);
	for (i = 0; i < n; i++) {
		unsigned l = lm_decide(&d, 0) == LM_LOST;

		lost += l;
		bursts += l && !prev;
		prev = l;
	}
	CHECK_NEAR((double)lost / n, 0.02, 0.003, "bursty 2%% loss: long-run ratio");
	CHECK_NEAR((double)lost / bursts, 4.0, 0.3, "bursty loss: mean burst length 4");
}

static void test_release(void)
{
	struct lm_dir d;
	uint64_t t, prev = 0;
	unsigned i, ordered = 1, within = 1, overtaken = 0;

	memset(&d, 0, sizeof d);
	d.delay_ns = 20000000;
	CHECK_U(lm_release_ns(&d, 1000), 20001000, "no jitter: arrival + delay");
	d.jitter_ns = 5000000;
	d.last_release_ns = 0;
	lm_arm(&d, 1, 0);
	for (i = 0; i < 1000; i++) {
		uint64_t now = (uint64_t)i * 1000000;

		t = lm_release_ns(&d, now);
		ordered &= t >= prev;
		within &= t <= now + 25000000 && t >= now + 15000000;
		prev = t;
	}
	CHECK(ordered, "jitter without reordering: release times never go back");
	CHECK(within, "jitter: every release within delay +- jitter (or held for order)");
	d.reorder = 1;
	d.last_release_ns = 0;
	for (i = 0, prev = 0; i < 1000; i++) {
		t = lm_release_ns(&d, (uint64_t)i * 1000000);
		overtaken += t < prev;
		prev = t;
	}
	CHECK(overtaken > 0, "with reordering allowed, some packets overtake (%u)", overtaken);
}

int main(void)
{
	test_drops();
	test_random_loss();
	test_burst_loss();
	test_release();
	return check_done();
}
