/*
 * test_report_graph.c - the account graph (src/report/graph_int.h) and its
 * GEXF and GraphML writers: nodes, members, edge weights, the caps and what
 * they count as left out, determinism, an empty scan, allocation failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "chorus/alloc.h"
#include "chorus/models.h"
#include "chorus/report.h"
#include "chorus/scan.h"
#include "chorus/timeutil.h"
#include "graph_int.h"

static chorus_models *models;

static const char *text_a =
	"Так называемое бюро по правам человека годами живёт на иностранные гранты "
	"и очерняет нашу страну перед западными спонсорами";
static const char *text_b =
	"Руководство бюро снова лжёт о зарубежных грантах и скрывает настоящие "
	"источники денег от простых граждан страны";

static const char *tmp_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("CHORUS_TEST_DIR");

	snprintf(path, sizeof path, "%s/%s", dir ? dir : "/tmp", name);
	return path;
}

static void post(FILE *f, int id, const char *author, const char *text, long t,
		 const char *extra)
{
	fprintf(f, "{\"id\":\"%d\",\"author\":\"%s\",\"text\":\"%s\",\"created_at\":%ld%s}\n", id,
		author, text, t, extra ? extra : "");
}

/*
 * Cluster A (rank 1): a1..a6, one a minute from T, a1 again at T+10min.
 * Cluster B (rank 2): b2, a2, b1, a1, one a minute from T+3h (3 accounts
 * make a cluster here).
 * a2 has a handle and a creation date on its cluster B post only.
 */
#define T 1588000000L
static chorus_scan *two_clusters(chorus_corpus **out)
{
	const char *path = tmp_path("graph_two.jsonl");
	const char *b_authors[] = { "b2", "a2", "b1", "a1" };
	FILE *f = fopen(path, "w");
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts ro = { 0 };
	chorus_scan_params p;
	chorus_scan *s = NULL;
	chorus_error err;
	char name[8];

	for (int k = 0; k < 6; k++) {
		snprintf(name, sizeof name, "a%d", k + 1);
		post(f, 100 + k, name, text_a, T + 60L * k, NULL);
	}
	post(f, 106, "a1", text_a, T + 600, NULL);
	for (int k = 0; k < 4; k++)
		post(f, 200 + k, b_authors[k], text_b, T + 10800 + 60L * k,
		     k == 1 ? ",\"author_handle\":\"Aa<2>\",\"author_created_at\":\"2019-05-01T00:00:00Z\""
			    : NULL);
	fclose(f);
	CHECK_INT(chorus_corpus_read_jsonl(c, path, &ro, &err), 0);
	chorus_scan_params_init(&p);
	p.min_accounts = 3;
	CHECK_INT(chorus_scan_run(c, models, &p, &s, &err), 0);
	*out = c;
	return s;
}

static const chorus_graph_edge *find_edge(const chorus_graph *g, const char *x, const char *y)
{
	for (size_t i = 0; i < g->nedges; i++)
		if (!strcmp(g->nodes[g->edges[i].a].name.p, x) &&
		    !strcmp(g->nodes[g->edges[i].b].name.p, y))
			return &g->edges[i];
	return NULL;
}

static void test_full_graph(const chorus_scan *s)
{
	chorus_graph g;
	const chorus_graph_edge *e;

	CHECK_INT(chorus_scan_cluster_count(s), 2);
	CHECK_INT(chorus_scan_get_cluster(s, 0)->naccounts, 6);
	CHECK_INT(chorus_graph_init(&g, s, 200, 1000), 0);
	/* Nodes in byte order of the name. */
	CHECK_INT(g.nnodes, 8);
	CHECK_STR(g.nodes[0].name.p, "a1");
	CHECK_STR(g.nodes[6].name.p, "b1");
	CHECK_STR(g.nodes[7].name.p, "b2");
	/* a1: both clusters, three posts, from T to T+3h+3min. */
	CHECK_INT(g.nodes[0].nmembers, 2);
	CHECK_INT(g.nodes[0].posts, 3);
	CHECK_INT(g.nodes[0].first, T * CHORUS_NS_PER_SEC);
	CHECK_INT(g.nodes[0].last, (T + 10980) * CHORUS_NS_PER_SEC);
	CHECK(g.nodes[0].handle.p == NULL && g.nodes[0].created == CHORUS_TIME_NONE);
	/* a2: handle and creation date from the one post that has them. */
	CHECK_STR(g.nodes[1].handle.p, "Aa<2>");
	CHECK(g.nodes[1].created != CHORUS_TIME_NONE);
	CHECK_INT(g.nodes[5].nmembers, 1);
	/* 15 pairs in A, 6 in B, one pair (a1, a2) in both. */
	CHECK_INT(g.nlinks, 21);
	CHECK_INT(g.nedges, 20);
	CHECK_INT(g.links_left_out, 0);
	CHECK_INT(g.clusters_cut, 0);
	e = find_edge(&g, "a1", "a2");
	CHECK(e && e->nlinks == 2);
	CHECK(e && g.links[e->link].cluster == 0 && g.links[e->link + 1].cluster == 1);
	/* Linked when a2 posted in A (T+1min); until a1's last post in B. */
	CHECK(e && e->start == (T + 60) * CHORUS_NS_PER_SEC);
	CHECK(e && e->end == (T + 10980) * CHORUS_NS_PER_SEC);
	e = find_edge(&g, "b1", "b2");
	CHECK(e && e->nlinks == 1 && g.links[e->link].cluster == 1);
	CHECK(find_edge(&g, "a3", "b1") == NULL);
	/* Edges in (source, target) order. */
	for (size_t i = 1; i < g.nedges; i++)
		CHECK(g.edges[i - 1].a < g.edges[i].a ||
		      (g.edges[i - 1].a == g.edges[i].a && g.edges[i - 1].b < g.edges[i].b));
	chorus_graph_dispose(&g);
}

static void test_caps(const chorus_scan *s)
{
	chorus_graph g;

	/* Only the first 4 accounts of A (a1..a4) are linked: 6 of 15 links. */
	CHECK_INT(chorus_graph_init(&g, s, 4, 1000), 0);
	CHECK_INT(g.nlinks, 12);
	CHECK_INT(g.links_left_out, 9);
	CHECK_INT(g.clusters_cut, 1);
	CHECK_INT(g.nnodes, 8); /* accounts left unlinked stay nodes */
	CHECK(find_edge(&g, "a3", "a4") != NULL);
	CHECK(find_edge(&g, "a4", "a5") == NULL);
	chorus_graph_dispose(&g);

	/* A budget of 8 links: A takes 6 (a1..a4), B the 1 of its first two
	 * accounts (b2, a2); 14 left out in two clusters. */
	CHECK_INT(chorus_graph_init(&g, s, 4, 8), 0);
	CHECK_INT(g.nlinks, 7);
	CHECK_INT(g.links_left_out, 14);
	CHECK_INT(g.clusters_cut, 2);
	CHECK(find_edge(&g, "a2", "b2") != NULL);
	CHECK(find_edge(&g, "a1", "b1") == NULL);
	chorus_graph_dispose(&g);

	/* No budget: nodes only. */
	CHECK_INT(chorus_graph_init(&g, s, 200, 0), 0);
	CHECK_INT(g.nnodes, 8);
	CHECK_INT(g.nedges, 0);
	CHECK_INT(g.links_left_out, 21);
	chorus_graph_dispose(&g);
}

static char *written(const chorus_scan *s, size_t clique_cap, size_t link_cap, int gexf)
{
	chorus_graph g;
	chorus_buf b;
	char *out = NULL;

	chorus_buf_init(&b, 1 << 20);
	if (chorus_graph_init(&g, s, clique_cap, link_cap) == 0) {
		if ((gexf ? chorus_graph_write_gexf : chorus_graph_write_graphml)(&b, &g, s) == 0)
			out = strdup(b.data);
		chorus_graph_dispose(&g);
	}
	chorus_buf_dispose(&b);
	return out;
}

static void test_writers(const chorus_scan *s)
{
	char *x = written(s, 4, 8, 1), *y = written(s, 4, 8, 1);
	char *m = written(s, 4, 8, 0);
	chorus_buf b;

	CHECK(x && y && strcmp(x, y) == 0);
	CHECK(x && strstr(x, "<gexf xmlns=\"http://gexf.net/1.3\""));
	CHECK(x && strstr(x, "version=\"1.3\""));
	CHECK(x && strstr(x, "mode=\"dynamic\" defaultedgetype=\"undirected\" timeformat=\"dateTime\""));
	CHECK(x && strstr(x, "Links left out: 14 (account pair, cluster) links in 2 clusters."));
	CHECK(x && strstr(x, "<nodes count=\"8\">"));
	CHECK(x && strstr(x, "<edges count=\"7\">"));
	CHECK(x && strstr(x, "<node id=\"n1\" label=\"a1\" start=\"2020-04-27T15:06:40Z\" "
			  "end=\"2020-04-27T18:09:40Z\">"));
	CHECK(x && strstr(x, "<attvalue for=\"handle\" value=\"Aa&lt;2&gt;\"/>"));
	CHECK(x && strstr(x, "<attvalue for=\"account_created\" value=\"2019-05-01T00:00:00Z\"/>"));
	/* Under these caps (a1, a2) is linked in A only. */
	CHECK(x && strstr(x, "<edge id=\"e1\" source=\"n1\" target=\"n2\" weight=\"1\""));
	CHECK(m && strstr(m, "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\""));
	CHECK(m && strstr(m, "<graph id=\"accounts\" edgedefault=\"undirected\">"));
	CHECK(m && strstr(m, "<data key=\"links_left_out\">14</data>"));
	CHECK(m && strstr(m, "<data key=\"clusters_cut\">2</data>"));
	CHECK(m && strstr(m, "<edge id=\"e1\" source=\"n1\" target=\"n2\">\n"
			  "      <data key=\"weight\">1</data>"));
	/* The folder's writers use the default caps, which keep everything. */
	chorus_buf_init(&b, 1 << 20);
	CHECK_INT(chorus_report_graphml(&b, s), 0);
	CHECK(b.data && strstr(b.data, "<data key=\"links_left_out\">0</data>"));
	CHECK(b.data && strstr(b.data, "<data key=\"clique_cap\">200</data>"));
	CHECK(b.data && strstr(b.data, "<edge id=\"e1\" source=\"n1\" target=\"n2\">\n"
			       "      <data key=\"weight\">2</data>\n"
			       "      <data key=\"edge_cluster_ids\">"));
	chorus_buf_dispose(&b);
	/* A cap on the output is an error, never a truncated file. */
	chorus_buf_init(&b, 100);
	CHECK(chorus_report_gexf(&b, s) != 0);
	chorus_buf_dispose(&b);
	free(x);
	free(y);
	free(m);
}

static void test_empty(void)
{
	const char *path = tmp_path("graph_empty.jsonl");
	FILE *f = fopen(path, "w");
	chorus_corpus *c = chorus_corpus_new();
	chorus_read_opts ro = { 0 };
	chorus_scan_params p;
	chorus_scan *s = NULL;
	chorus_error err;
	chorus_buf b;

	post(f, 1, "only", text_a, T, NULL);
	fclose(f);
	CHECK_INT(chorus_corpus_read_jsonl(c, path, &ro, &err), 0);
	chorus_scan_params_init(&p);
	CHECK_INT(chorus_scan_run(c, models, &p, &s, &err), 0);
	chorus_buf_init(&b, 1 << 20);
	CHECK_INT(chorus_report_gexf(&b, s), 0);
	CHECK(b.data && strstr(b.data, "<nodes count=\"0\">") && !strstr(b.data, " start="));
	chorus_buf_reset(&b);
	CHECK_INT(chorus_report_graphml(&b, s), 0);
	CHECK(b.data && strstr(b.data, "</graph>\n</graphml>\n"));
	chorus_buf_dispose(&b);
	chorus_scan_free(s);
	chorus_corpus_free(c);
}

/* Every allocation of the build may fail: an error, nothing leaked. */
static void test_alloc_failure(const chorus_scan *s)
{
	int failed = 0, built = 0;

	for (unsigned long n = 1; n <= 12; n++) {
		chorus_graph g;
		int rc;
		chorus_alloc_fail_after(n);
		rc = chorus_graph_init(&g, s, 200, 1000);
		chorus_alloc_fail_after(0);
		if (rc == 0) {
			built++;
			chorus_graph_dispose(&g);
		} else {
			CHECK_INT(rc, CHORUS_ENOMEM);
			failed++;
		}
	}
	CHECK(failed >= 5);
	CHECK(built > 0);
}

int main(void)
{
	chorus_corpus *c;
	chorus_scan *s;
	chorus_error err;

	if (chorus_models_load(&models, NULL, &err)) {
		fprintf(stderr, "models: %s\n", err.text);
		return 1;
	}
	s = two_clusters(&c);
	if (s && chorus_scan_cluster_count(s) == 2) {
		test_full_graph(s);
		test_caps(s);
		test_writers(s);
		test_alloc_failure(s);
	}
	test_empty();
	chorus_scan_free(s);
	chorus_corpus_free(c);
	chorus_models_free(models);
	return check_done();
}
