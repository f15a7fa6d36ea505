/*
 * graph_int.h - the account graph behind accounts.gexf and accounts.graphml
 * (shared inside src/report only).
 *
 *   nodes    every author of a flagged post, in byte order of the name
 *   members  (node, cluster) for each cluster a node posted in, sorted by
 *            node, then cluster rank
 *   links    (node pair, cluster) for each pair of a cluster's accounts that
 *            was linked, sorted by (a, b, cluster rank); a < b
 *   edges    runs of links with the same pair: weight = links in the run
 *
 * Caps: in each cluster only the first clique_cap accounts to post are
 * linked pairwise, and at most link_cap links are made in all, clusters in
 * rank order (a cluster that does not fit the rest of the budget links the
 * largest clique of its first accounts that fits).  So a cluster of 5,000
 * accounts costs at most clique_cap^2 / 2 links, never 12.5 million.  What
 * was left out is counted (links_left_out, clusters_cut) and the writers
 * say so in the files.
 *
 * Nothing is ordered by a hash table or an address: two builds from the
 * same scan are identical.  Cost: O(F log F) for F flagged posts, plus
 * O(L log L) for the L <= link_cap links.
 */
#ifndef CHORUS_GRAPH_INT_H
#define CHORUS_GRAPH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/buf.h"
#include "chorus/post.h"
#include "chorus/scan.h"

typedef struct chorus_graph_node {
	chorus_str name;     /* the author, as in the posts */
	chorus_str handle;   /* from the earliest flagged post with one, or {0} */
	int64_t created;     /* account creation (same rule), or CHORUS_TIME_NONE */
	int64_t first, last; /* its first and last flagged post */
	uint32_t posts;      /* its flagged posts */
	uint32_t member;     /* its clusters: members[member .. member + nmembers) */
	uint32_t nmembers;
} chorus_graph_node;

typedef struct chorus_graph_member {
	uint32_t node;
	uint32_t cluster;    /* rank - 1 */
	uint32_t first_post; /* scan post indices (time order) of its first */
	uint32_t last_post;  /* and last post in the cluster */
} chorus_graph_member;

typedef struct chorus_graph_link {
	uint32_t a, b;       /* node indices, a < b */
	uint32_t cluster;    /* rank - 1 */
	int64_t start;       /* when both had posted in the cluster */
	int64_t end;         /* the later of their last posts in it */
} chorus_graph_link;

typedef struct chorus_graph_edge {
	uint32_t a, b;       /* node indices, a < b */
	uint32_t link;       /* its clusters: links[link .. link + nlinks) */
	uint32_t nlinks;     /* the weight: clusters shared (and linked) */
	int64_t start, end;  /* earliest link start, latest link end */
} chorus_graph_edge;

typedef struct chorus_graph {
	chorus_graph_node *nodes;
	size_t nnodes;
	chorus_graph_member *members;
	size_t nmembers;
	chorus_graph_link *links;
	size_t nlinks;
	chorus_graph_edge *edges;
	size_t nedges;
	size_t clique_cap, link_cap; /* the caps applied */
	uint64_t links_left_out;     /* (pair, cluster) links not made */
	size_t clusters_cut;         /* clusters with links left out */
	int64_t first, last;         /* all flagged posts; NONE when no node */
} chorus_graph;

/* Caps of the evidence folder (README "Report folders"). */
#define CHORUS_GRAPH_CLIQUE_CAP 200
#define CHORUS_GRAPH_LINK_CAP 200000

/*
 * Build the graph of s into g (caller-owned) with the given caps
 * (clique_cap >= 2).  CHORUS_ENOMEM, or CHORUS_ELIMIT when the scan has
 * more flagged posts than 32-bit indices hold; g is set only on success.
 * Pure: safe on distinct g from several threads.
 */
int chorus_graph_init(chorus_graph *g, const chorus_scan *s, size_t clique_cap,
		      size_t link_cap);
void chorus_graph_dispose(chorus_graph *g);

/* Append g as accounts.gexf / accounts.graphml (layout: graph_xml.c and
 * README "Report folders"); s is the scan g was built from.
 * CHORUS_ENOMEM or CHORUS_ELIMIT. */
int chorus_graph_write_gexf(chorus_buf *b, const chorus_graph *g, const chorus_scan *s);
int chorus_graph_write_graphml(chorus_buf *b, const chorus_graph *g, const chorus_scan *s);

#endif
