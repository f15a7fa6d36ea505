/*
 * graph_xml.c - accounts.gexf (GEXF 1.3, for Gephi) and accounts.graphml
 * (GraphML) of the evidence folder: the account graph of graph_int.h.
 *
 *   node  id "n<k>" (k = 1.. in byte order of the account name), label =
 *         the name; clusters, flagged_posts (int), first_post, last_post,
 *         account_created, handle, cluster_ids (strings; times UTC RFC
 *         3339; account_created and handle only when known)
 *   edge  id "e<k>" in (source, target) order, source < target;
 *         weight = clusters shared, cluster_ids (rank order), start/end
 *   graph what the caps left out (GEXF: description and a comment;
 *         GraphML: graph data and a comment)
 * GEXF is dynamic (timeformat="dateTime"): nodes live from first to last
 * flagged post, edges from the moment both accounts had posted in a
 * shared cluster to the later one's last post there.
 *
 * Every name, handle and id goes through chorus_escape_xml, so the files
 * are well-formed whatever the posts hold.  Byte-identical for the same
 * scan.  Cost: O(nodes + members + links) after the graph is built.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "chorus/escape.h"
#include "chorus/report.h"
#include "chorus/timeutil.h"
#include "graph_int.h"

static int put_x(chorus_buf *b, chorus_str s)
{
	return chorus_escape_xml(b, s.p ? s.p : "", s.p ? s.len : 0);
}

static int put_time(chorus_buf *b, int64_t ns)
{
	char t[CHORUS_TIME_STRLEN];

	chorus_time_format(ns, t);
	return chorus_buf_puts(b, t);
}

static int put_id(chorus_buf *b, const chorus_scan *s, uint32_t cluster, int sep)
{
	const char *id = chorus_scan_get_cluster(s, cluster)->id;
	const int rc = sep ? chorus_buf_putc(b, ' ') : 0;

	return rc ? rc : chorus_escape_xml(b, id, strlen(id));
}

static int node_cluster_ids(chorus_buf *b, const chorus_graph *g, const chorus_scan *s,
			    const chorus_graph_node *nd)
{
	int rc = 0;

	for (uint32_t k = 0; rc == 0 && k < nd->nmembers; k++)
		rc = put_id(b, s, g->members[nd->member + k].cluster, k > 0);
	return rc;
}

static int edge_cluster_ids(chorus_buf *b, const chorus_graph *g, const chorus_scan *s,
			    const chorus_graph_edge *e)
{
	int rc = 0;

	for (uint32_t k = 0; rc == 0 && k < e->nlinks; k++)
		rc = put_id(b, s, g->links[e->link + k].cluster, k > 0);
	return rc;
}

/* One sentence on the caps, shared by both files (no "--": it also goes
 * into a comment). */
static int put_caps(chorus_buf *b, const chorus_graph *g)
{
	return chorus_buf_printf(b, "%zu accounts, %zu edges. Links left out: %" PRIu64
				 " (account pair, cluster) links in %zu clusters. Caps: only "
				 "the first %zu accounts to post in a cluster are linked "
				 "pairwise, and at most %zu links are made in all, clusters "
				 "in rank order.", g->nnodes, g->nedges, g->links_left_out,
				 g->clusters_cut, g->clique_cap, g->link_cap);
}

static int put_comment(chorus_buf *b, const chorus_graph *g, const char *what)
{
	int rc = chorus_buf_printf(b, "<!-- %s by chorus %s: accounts that posted in the same "
				   "cluster (README \"Report folders\"). ", what, CHORUS_VERSION);

	rc = rc ? rc : put_caps(b, g);
	return rc ? rc : chorus_buf_puts(b, " -->\n");
}

/* ---- GEXF ---- */

static const char gexf_attributes[] =
	"    <attributes class=\"node\">\n"
	"      <attribute id=\"clusters\" title=\"clusters\" type=\"integer\"/>\n"
	"      <attribute id=\"flagged_posts\" title=\"flagged_posts\" type=\"integer\"/>\n"
	"      <attribute id=\"first_post\" title=\"first_post\" type=\"string\"/>\n"
	"      <attribute id=\"last_post\" title=\"last_post\" type=\"string\"/>\n"
	"      <attribute id=\"account_created\" title=\"account_created\" type=\"string\"/>\n"
	"      <attribute id=\"handle\" title=\"handle\" type=\"string\"/>\n"
	"      <attribute id=\"cluster_ids\" title=\"cluster_ids\" type=\"string\"/>\n"
	"    </attributes>\n"
	"    <attributes class=\"edge\">\n"
	"      <attribute id=\"cluster_ids\" title=\"cluster_ids\" type=\"string\"/>\n"
	"    </attributes>\n";

static int gexf_head(chorus_buf *b, const chorus_graph *g)
{
	int rc = chorus_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");

	rc = rc ? rc : put_comment(b, g, "accounts.gexf");
	rc = rc ? rc : chorus_buf_printf(b, "<gexf xmlns=\"http://gexf.net/1.3\" xmlns:xsi=\"http://"
					 "www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation="
					 "\"http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd\" "
					 "version=\"1.3\">\n  <meta>\n    <creator>chorus %s"
					 "</creator>\n    <description>Accounts (nodes) that posted "
					 "near-identical text in the same cluster (edges, weight = "
					 "clusters shared). ", CHORUS_VERSION);
	rc = rc ? rc : put_caps(b, g);
	rc = rc ? rc : chorus_buf_puts(b, "</description>\n  </meta>\n  <graph mode=\"dynamic\" "
				       "defaultedgetype=\"undirected\" timeformat=\"dateTime\" "
				       "timerepresentation=\"interval\" timezone=\"UTC\"");
	if (rc == 0 && g->nnodes > 0) {
		rc = chorus_buf_puts(b, " start=\"");
		rc = rc ? rc : put_time(b, g->first);
		rc = rc ? rc : chorus_buf_puts(b, "\" end=\"");
		rc = rc ? rc : put_time(b, g->last);
		rc = rc ? rc : chorus_buf_putc(b, '"');
	}
	rc = rc ? rc : chorus_buf_puts(b, ">\n");
	return rc ? rc : chorus_buf_puts(b, gexf_attributes);
}

/* start="..." end="..." */
static int gexf_span(chorus_buf *b, int64_t start, int64_t end)
{
	int rc = chorus_buf_puts(b, " start=\"");

	rc = rc ? rc : put_time(b, start);
	rc = rc ? rc : chorus_buf_puts(b, "\" end=\"");
	rc = rc ? rc : put_time(b, end);
	return rc ? rc : chorus_buf_putc(b, '"');
}

static int gexf_value_time(chorus_buf *b, const char *key, int64_t ns)
{
	int rc = chorus_buf_printf(b, "          <attvalue for=\"%s\" value=\"", key);

	rc = rc ? rc : put_time(b, ns);
	return rc ? rc : chorus_buf_puts(b, "\"/>\n");
}

static int gexf_node_values(chorus_buf *b, const chorus_graph *g, const chorus_scan *s,
			    const chorus_graph_node *nd)
{
	int rc = chorus_buf_printf(b, "          <attvalue for=\"clusters\" value=\"%" PRIu32 "\"/>\n"
				   "          <attvalue for=\"flagged_posts\" value=\"%" PRIu32 "\"/>\n",
				   nd->nmembers, nd->posts);

	rc = rc ? rc : gexf_value_time(b, "first_post", nd->first);
	rc = rc ? rc : gexf_value_time(b, "last_post", nd->last);
	if (rc == 0 && nd->created != CHORUS_TIME_NONE)
		rc = gexf_value_time(b, "account_created", nd->created);
	if (rc == 0 && nd->handle.p) {
		rc = chorus_buf_puts(b, "          <attvalue for=\"handle\" value=\"");
		rc = rc ? rc : put_x(b, nd->handle);
		rc = rc ? rc : chorus_buf_puts(b, "\"/>\n");
	}
	rc = rc ? rc : chorus_buf_puts(b, "          <attvalue for=\"cluster_ids\" value=\"");
	rc = rc ? rc : node_cluster_ids(b, g, s, nd);
	return rc ? rc : chorus_buf_puts(b, "\"/>\n");
}

static int gexf_nodes(chorus_buf *b, const chorus_graph *g, const chorus_scan *s)
{
	int rc = chorus_buf_printf(b, "    <nodes count=\"%zu\">\n", g->nnodes);

	for (size_t i = 0; rc == 0 && i < g->nnodes; i++) {
		const chorus_graph_node *nd = &g->nodes[i];
		rc = chorus_buf_printf(b, "      <node id=\"n%zu\" label=\"", i + 1);
		rc = rc ? rc : put_x(b, nd->name);
		rc = rc ? rc : chorus_buf_putc(b, '"');
		rc = rc ? rc : gexf_span(b, nd->first, nd->last);
		rc = rc ? rc : chorus_buf_puts(b, ">\n        <attvalues>\n");
		rc = rc ? rc : gexf_node_values(b, g, s, nd);
		rc = rc ? rc : chorus_buf_puts(b, "        </attvalues>\n      </node>\n");
	}
	return rc ? rc : chorus_buf_puts(b, "    </nodes>\n");
}

static int gexf_edges(chorus_buf *b, const chorus_graph *g, const chorus_scan *s)
{
	int rc = chorus_buf_printf(b, "    <edges count=\"%zu\">\n", g->nedges);

	for (size_t i = 0; rc == 0 && i < g->nedges; i++) {
		const chorus_graph_edge *e = &g->edges[i];
		rc = chorus_buf_printf(b, "      <edge id=\"e%zu\" source=\"n%" PRIu32 "\" target=\"n%"
				       PRIu32 "\" weight=\"%" PRIu32 "\"", i + 1, e->a + 1, e->b + 1,
				       e->nlinks);
		rc = rc ? rc : gexf_span(b, e->start, e->end);
		rc = rc ? rc : chorus_buf_puts(b, ">\n        <attvalues>\n          <attvalue "
					       "for=\"cluster_ids\" value=\"");
		rc = rc ? rc : edge_cluster_ids(b, g, s, e);
		rc = rc ? rc : chorus_buf_puts(b, "\"/>\n        </attvalues>\n      </edge>\n");
	}
	return rc ? rc : chorus_buf_puts(b, "    </edges>\n");
}

int chorus_graph_write_gexf(chorus_buf *b, const chorus_graph *g, const chorus_scan *s)
{
	int rc = gexf_head(b, g);

	rc = rc ? rc : gexf_nodes(b, g, s);
	rc = rc ? rc : gexf_edges(b, g, s);
	return rc ? rc : chorus_buf_puts(b, "  </graph>\n</gexf>\n");
}

/* ---- GraphML ---- */

static const char graphml_keys[] =
	"  <key id=\"links_left_out\" for=\"graph\" attr.name=\"links_left_out\" attr.type=\"long\"/>\n"
	"  <key id=\"clusters_cut\" for=\"graph\" attr.name=\"clusters_cut\" attr.type=\"int\"/>\n"
	"  <key id=\"clique_cap\" for=\"graph\" attr.name=\"clique_cap\" attr.type=\"int\"/>\n"
	"  <key id=\"link_cap\" for=\"graph\" attr.name=\"link_cap\" attr.type=\"int\"/>\n"
	"  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
	"  <key id=\"clusters\" for=\"node\" attr.name=\"clusters\" attr.type=\"int\"/>\n"
	"  <key id=\"flagged_posts\" for=\"node\" attr.name=\"flagged_posts\" attr.type=\"int\"/>\n"
	"  <key id=\"first_post\" for=\"node\" attr.name=\"first_post\" attr.type=\"string\"/>\n"
	"  <key id=\"last_post\" for=\"node\" attr.name=\"last_post\" attr.type=\"string\"/>\n"
	"  <key id=\"account_created\" for=\"node\" attr.name=\"account_created\" "
	"attr.type=\"string\"/>\n"
	"  <key id=\"handle\" for=\"node\" attr.name=\"handle\" attr.type=\"string\"/>\n"
	"  <key id=\"node_cluster_ids\" for=\"node\" attr.name=\"cluster_ids\" attr.type=\"string\"/>\n"
	"  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
	"  <key id=\"edge_cluster_ids\" for=\"edge\" attr.name=\"cluster_ids\" attr.type=\"string\"/>\n"
	"  <key id=\"start\" for=\"edge\" attr.name=\"start\" attr.type=\"string\"/>\n"
	"  <key id=\"end\" for=\"edge\" attr.name=\"end\" attr.type=\"string\"/>\n";

static int graphml_head(chorus_buf *b, const chorus_graph *g)
{
	int rc = chorus_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");

	rc = rc ? rc : put_comment(b, g, "accounts.graphml");
	rc = rc ? rc : chorus_buf_puts(b, "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
				       "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
				       "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
				       "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
	rc = rc ? rc : chorus_buf_puts(b, graphml_keys);
	return rc ? rc : chorus_buf_printf(b, "  <graph id=\"accounts\" edgedefault=\"undirected\">\n"
					   "    <data key=\"links_left_out\">%" PRIu64 "</data>\n"
					   "    <data key=\"clusters_cut\">%zu</data>\n"
					   "    <data key=\"clique_cap\">%zu</data>\n"
					   "    <data key=\"link_cap\">%zu</data>\n",
					   g->links_left_out, g->clusters_cut, g->clique_cap,
					   g->link_cap);
}

static int graphml_time(chorus_buf *b, const char *key, int64_t ns)
{
	int rc = chorus_buf_printf(b, "      <data key=\"%s\">", key);

	rc = rc ? rc : put_time(b, ns);
	return rc ? rc : chorus_buf_puts(b, "</data>\n");
}

static int graphml_node(chorus_buf *b, const chorus_graph *g, const chorus_scan *s, size_t i)
{
	const chorus_graph_node *nd = &g->nodes[i];
	int rc = chorus_buf_printf(b, "    <node id=\"n%zu\">\n      <data key=\"label\">", i + 1);

	rc = rc ? rc : put_x(b, nd->name);
	rc = rc ? rc : chorus_buf_printf(b, "</data>\n      <data key=\"clusters\">%" PRIu32 "</data>\n"
					 "      <data key=\"flagged_posts\">%" PRIu32 "</data>\n",
					 nd->nmembers, nd->posts);
	rc = rc ? rc : graphml_time(b, "first_post", nd->first);
	rc = rc ? rc : graphml_time(b, "last_post", nd->last);
	if (rc == 0 && nd->created != CHORUS_TIME_NONE)
		rc = graphml_time(b, "account_created", nd->created);
	if (rc == 0 && nd->handle.p) {
		rc = chorus_buf_puts(b, "      <data key=\"handle\">");
		rc = rc ? rc : put_x(b, nd->handle);
		rc = rc ? rc : chorus_buf_puts(b, "</data>\n");
	}
	rc = rc ? rc : chorus_buf_puts(b, "      <data key=\"node_cluster_ids\">");
	rc = rc ? rc : node_cluster_ids(b, g, s, nd);
	return rc ? rc : chorus_buf_puts(b, "</data>\n    </node>\n");
}

static int graphml_edge(chorus_buf *b, const chorus_graph *g, const chorus_scan *s, size_t i)
{
	const chorus_graph_edge *e = &g->edges[i];
	int rc = chorus_buf_printf(b, "    <edge id=\"e%zu\" source=\"n%" PRIu32 "\" target=\"n%"
				   PRIu32 "\">\n      <data key=\"weight\">%" PRIu32 "</data>\n"
				   "      <data key=\"edge_cluster_ids\">", i + 1, e->a + 1,
				   e->b + 1, e->nlinks);

	rc = rc ? rc : edge_cluster_ids(b, g, s, e);
	rc = rc ? rc : chorus_buf_puts(b, "</data>\n");
	rc = rc ? rc : graphml_time(b, "start", e->start);
	rc = rc ? rc : graphml_time(b, "end", e->end);
	return rc ? rc : chorus_buf_puts(b, "    </edge>\n");
}

int chorus_graph_write_graphml(chorus_buf *b, const chorus_graph *g, const chorus_scan *s)
{
	int rc = graphml_head(b, g);

	for (size_t i = 0; rc == 0 && i < g->nnodes; i++)
		rc = graphml_node(b, g, s, i);
	for (size_t i = 0; rc == 0 && i < g->nedges; i++)
		rc = graphml_edge(b, g, s, i);
	return rc ? rc : chorus_buf_puts(b, "  </graph>\n</graphml>\n");
}

/* ---- the folder's files ---- */

typedef int (*graph_writer)(chorus_buf *b, const chorus_graph *g, const chorus_scan *s);

static int write_graph(chorus_buf *b, const chorus_scan *s, graph_writer w)
{
	chorus_graph g;
	int rc = chorus_graph_init(&g, s, CHORUS_GRAPH_CLIQUE_CAP, CHORUS_GRAPH_LINK_CAP);

	if (rc)
		return rc;
	rc = w(b, &g, s);
	chorus_graph_dispose(&g);
	return rc;
}

int chorus_report_gexf(chorus_buf *b, const chorus_scan *s)
{
	return write_graph(b, s, chorus_graph_write_gexf);
}

int chorus_report_graphml(chorus_buf *b, const chorus_scan *s)
{
	return write_graph(b, s, chorus_graph_write_graphml);
}
