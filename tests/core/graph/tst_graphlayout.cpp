#include "findings/analyzer.h"
#include "findings/rulegroups.h"
#include "graph/graphlayout.h"
#include "import/azureimporter.h"

#include <QTest>

#include <algorithm>
#include <map>
#include <set>

using namespace ew;

namespace {

const GraphLayout::Node* byName(const GraphLayout& l, const std::string& name, int column)
{
    for (const auto& n : l.nodes)
        if (n.name == name && n.column == column)
            return &n;
    return nullptr;
}

const GraphLayout::Group* groupNamed(const GraphLayout& l, const std::string& name)
{
    for (const auto& g : l.groups)
        if (g.name == name)
            return &g;
    return nullptr;
}

} // namespace

class TestGraphLayout : public QObject
{
    Q_OBJECT
private:
    Snapshot m_snap;
    AnalysisResult m_result;
    GraphGrouping m_grouping;

private Q_SLOTS:
    void initTestCase()
    {
        m_snap = importSnapshot({ EW_SOURCE_DIR "/resources/demo/2019-12-05" });
        QVERIFY(!m_snap.hasErrors());
        m_result = analyze(m_snap);
        QCOMPARE(m_result.findings.size(), std::size_t(15)); // with the nodes' two-hop SSH through jump-01
        m_grouping = GraphGrouping::fromSnapshot(m_snap);
    }

    void columns_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("group");
        QTest::newRow("internet") << QStringLiteral("Internet") << int(GraphLayout::InternetColumn) << QString();
        QTest::newRow("public-ip") << QStringLiteral("pip-es-01") << int(GraphLayout::FrontendColumn) << QString();
        QTest::newRow("nsg-in-its-subnet")
            << QStringLiteral("nsg-portal") << int(GraphLayout::FilterColumn) << QStringLiteral("snet-portal");
        QTest::newRow("compute") << QStringLiteral("jump-01") << int(GraphLayout::ComputeColumn)
                                 << QStringLiteral("snet-mgmt");
        QTest::newRow("tagged-data-store")
            << QStringLiteral("es-support-03") << int(GraphLayout::DataStoreColumn) << QStringLiteral("snet-es");
        QTest::newRow("two-hop-data-store")
            << QStringLiteral("sql-tickets-01") << int(GraphLayout::DataStoreColumn) << QStringLiteral("snet-data");
    }
    void columns()
    {
        QFETCH(QString, name);
        QFETCH(int, column);
        QFETCH(QString, group);
        const GraphLayout l = layoutGraph(m_result.graph, m_grouping);
        const auto* n = byName(l, name.toStdString(), column);
        QVERIFY2(n, qPrintable(name));
        QCOMPARE(n->x, GraphLayout::kColumnSpacing * column); // columns left to right
        if (group.isEmpty()) {
            QVERIFY(n->group.empty());
            return;
        }
        const auto* g = groupNamed(l, group.toStdString());
        QVERIFY(g);
        QCOMPARE(n->group, g->id);
        // The node lies inside its band.
        QVERIFY(n->y >= g->y && n->y + GraphLayout::kNodeHeight <= g->y + g->height);
        QVERIFY(n->x >= g->x && n->x + GraphLayout::kNodeWidth <= g->x + g->width);
    }

    void deterministicAndWithoutOverlap()
    {
        const GraphLayout a = layoutGraph(m_result.graph, m_grouping);
        const GraphLayout b = layoutGraph(m_result.graph, m_grouping);
        QCOMPARE(a.nodes.size(), b.nodes.size());
        for (std::size_t i = 0; i < a.nodes.size(); ++i) {
            QCOMPARE(a.nodes[i].id, b.nodes[i].id);
            QCOMPARE(a.nodes[i].x, b.nodes[i].x);
            QCOMPARE(a.nodes[i].y, b.nodes[i].y);
        }
        for (std::size_t i = 0; i < a.nodes.size(); ++i)
            for (std::size_t j = i + 1; j < a.nodes.size(); ++j)
                if (a.nodes[i].x == a.nodes[j].x)
                    QVERIFY2(std::abs(a.nodes[i].y - a.nodes[j].y) >= GraphLayout::kNodeHeight,
                        (a.nodes[i].name + " overlaps " + a.nodes[j].name).c_str());
    }

    void filterSitsInItsResourcesRow()
    {
        // Each NSG is drawn once per resource it guards, on that resource's row, so a path is a
        // straight line through the band.
        const GraphLayout l = layoutGraph(m_result.graph, m_grouping);
        int filters = 0;
        for (const auto& n : l.nodes) {
            if (n.column != GraphLayout::FilterColumn)
                continue;
            const auto at = n.id.find('@');
            QVERIFY(at != std::string::npos);
            const auto guarded = l.nodeOf.find(n.id.substr(at + 1));
            QVERIFY(guarded != l.nodeOf.end());
            QCOMPARE(n.y, l.nodes[guarded->second].y);
            ++filters;
        }
        QCOMPARE(filters, 9); // one per finding target: every target has one subnet NSG
    }

    void everyPathStepIsAnEdge()
    {
        const GraphLayout l = layoutGraph(m_result.graph, m_grouping);
        std::map<std::pair<std::size_t, std::size_t>, const GraphLayout::Edge*> edges;
        for (const auto& e : l.edges)
            edges[{ e.from, e.to }] = &e;
        const auto& g = m_result.graph.graph();
        for (auto [e, end] = boost::edges(g); e != end; ++e) {
            const auto from = l.nodeOf.at(g[boost::source(*e, g)].id);
            const auto to = l.nodeOf.at(g[boost::target(*e, g)].id);
            auto it = edges.find({ from, to });
            QVERIFY(it != edges.end());
            QCOMPARE(it->second->findings, g[*e].findings);
        }
    }

    void collapsedSubnetIsOneAggregatePerColumn()
    {
        const GraphLayout full = layoutGraph(m_result.graph, m_grouping);
        const auto* es = groupNamed(full, "snet-es");
        QVERIFY(es);
        LayoutOptions o;
        o.expanded[es->id] = false;
        const GraphLayout l = layoutGraph(m_result.graph, m_grouping, o);
        const auto* stores = byName(l, "6 data stores", GraphLayout::DataStoreColumn);
        QVERIFY(stores);
        QVERIFY(stores->aggregate());
        QCOMPARE(stores->members.size(), std::size_t(6));
        const auto* nsgs = byName(l, "6 NSGs / filters", GraphLayout::FilterColumn);
        QVERIFY(nsgs);
        QCOMPARE(l.nodeOf.at(stores->members.front()), std::size_t(stores - l.nodes.data()));
        // The cluster's five public IPs lead only into the collapsed band: they collapse with it.
        const auto* frontends = byName(l, "5 frontends", GraphLayout::FrontendColumn);
        QVERIFY(frontends);
        QCOMPARE(frontends->group, es->id);
        QVERIFY(!byName(l, "pip-es-02", GraphLayout::FrontendColumn));
        QVERIFY(byName(l, "pip-jump", GraphLayout::FrontendColumn)); // other bands stay expanded
        // Into the filter aggregate: the frontends' aggregate, kibana-support's foothold
        // (es-support-01, inside the data-store aggregate)
        std::set<std::string> into;
        for (const auto& e : l.edges)
            if (&l.nodes[e.to] == nsgs)
                into.insert(l.nodes[e.from].name);
        // ... and jump-01, the foothold of the nodes' SSH from the partner range.
        QCOMPARE(into, (std::set<std::string> { "5 frontends", "6 data stores", "jump-01" }));
        QVERIFY(groupNamed(l, "snet-es")->collapsed);
        QVERIFY(l.height < full.height);

        LayoutOptions v;
        v.expandByDefault = false; // everything collapsed: the VNet is one band
        const GraphLayout c = layoutGraph(m_result.graph, m_grouping, v);
        QVERIFY(byName(c, "7 data stores", GraphLayout::DataStoreColumn));
        QVERIFY(byName(c, "2 compute resources", GraphLayout::ComputeColumn));
    }

    void positionsStayWhenAFindingCloses()
    {
        const GraphLayout before = layoutGraph(m_result.graph, m_grouping);
        std::vector<Finding> fewer;
        for (const auto& f : m_result.findings)
            if (f.target.name != "es-support-03")
                fewer.push_back(f);
        const ReachabilityGraph smaller = ReachabilityGraph::build(fewer);
        LayoutOptions o;
        o.previous = &before;
        const GraphLayout after = layoutGraph(smaller, m_grouping, o);
        QCOMPARE(after.nodes.size(), before.nodes.size() - 3); // its public IP, NSG node and itself
        for (const auto& n : after.nodes) {
            const auto& old = before.nodes[before.nodeOf.at(n.id)];
            QVERIFY2(old.x == n.x && old.y == n.y, n.name.c_str());
        }
        // Without the previous layout the rows close up.
        const GraphLayout fresh = layoutGraph(smaller, m_grouping);
        QVERIFY(byName(fresh, "es-support-04", GraphLayout::DataStoreColumn)->y
            < byName(after, "es-support-04", GraphLayout::DataStoreColumn)->y);
    }

    // The workbench finds a finding's steps in the graph by these ids: each consecutive pair is an
    // edge that carries the finding.
    void nodeIdsOfPathAreTheGraphsEdges()
    {
        const auto& g = m_result.graph.graph();
        for (std::size_t i = 0; i < m_result.findings.size(); ++i) {
            const auto ids = ReachabilityGraph::nodeIdsOfPath(m_result.findings[i]);
            QCOMPARE(ids.size(), m_result.findings[i].path.size());
            for (std::size_t s = 0; s + 1 < ids.size(); ++s) {
                const auto from = m_result.graph.find(ids[s]);
                const auto to = m_result.graph.find(ids[s + 1]);
                QVERIFY2(from && to, ids[s].c_str());
                const auto [e, found] = boost::edge(*from, *to, g);
                QVERIFY(found);
                const auto& carried = g[e].findings;
                QVERIFY(std::find(carried.begin(), carried.end(), i) != carried.end());
            }
        }
    }

    // "Selected paths only": the graph of two findings has their steps and nothing else, and its
    // edges name the findings by their index among all of them.
    void graphOfSomeFindings()
    {
        const std::vector<std::size_t> only = { 3, 0 };
        const ReachabilityGraph sub = ReachabilityGraph::build(m_result.findings, only);
        std::set<std::string> wanted;
        for (const auto i : only)
            for (const auto& id : ReachabilityGraph::nodeIdsOfPath(m_result.findings[i]))
                wanted.insert(id);
        std::set<std::string> got;
        const auto& g = sub.graph();
        for (auto [v, end] = boost::vertices(g); v != end; ++v)
            got.insert(g[*v].id);
        QCOMPARE(got, wanted);
        for (auto [e, end] = boost::edges(g); e != end; ++e)
            for (const auto f : g[*e].findings)
                QVERIFY(f == 0 || f == 3);
        const GraphLayout l = layoutGraph(sub, m_grouping);
        QCOMPARE(l.nodes.size(), wanted.size()); // every group open: no aggregates
    }

    // The labels of a path's edges (issue 16, "labels the path's edges with protocol, ports and the
    // deciding rule"): client ports until a frontend translates them (a load balancer rule, a
    // firewall's DNAT), then the target's, each said where it changes; out of a filter or a
    // forwarding frontend, the rule that lets the packets through. The first hop of a two-hop path names only its
    // rules: the finding knows the ports of its last hop.
    void edgeLabels_data()
    {
        QTest::addColumn<QString>("folder"); // a golden folder, or "" for the demo
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("hops");
        QTest::addColumn<QString>("firstStep"); // the frontend, to tell two paths apart
        QTest::addColumn<QStringList>("labels");
        QTest::newRow("nsg-rule-on-the-last-step")
            << QString() << QStringLiteral("es-support-03") << 1 << QStringLiteral("pip-es-03")
            << QStringList { QStringLiteral("TCP 5601, 9200-9300"), QString(),
                   QStringLiteral("allow-es-office (100) +1") };
        QTest::newRow("two-hop-first-hop-rules-only")
            << QString() << QStringLiteral("kibana-support") << 2 << QStringLiteral("pip-es-01")
            << QStringList { QString(), QString(), QStringLiteral("allow-es-office (100) +1"),
                   QStringLiteral("TCP 9200-9300"), QStringLiteral("allow-es-any (110)") };
        QTest::newRow("load-balancer-translates-443-to-9200")
            << QStringLiteral("load-balancer-rule-port-translation") << QStringLiteral("es-1") << 1
            << QStringLiteral("pip-lb")
            << QStringList { QStringLiteral("TCP 443"), QString(), QStringLiteral("TCP 9200 · https-to-es"),
                   QStringLiteral("allow-es (100)") };
        QTest::newRow("firewall-dnat-translates-11433-to-1433")
            << QStringLiteral("azure-firewall-dnat-classic-rules") << QStringLiteral("sql-vm") << 1
            << QStringLiteral("pip-fw")
            << QStringList { QStringLiteral("TCP 11433"), QString(),
                   QStringLiteral("TCP 1433 · dnat-inbound / dnat-sql"),
                   QStringLiteral("allow-sql-from-firewall (100)") };
        // An interface's security groups are one step; their rules have no priority (a union), and
        // a network ACL's rule is its number.
        QTest::newRow("aws-acl-number-and-security-groups-union")
            << QStringLiteral("aws-security-groups-routes-and-two-hop") << QStringLiteral("web-1") << 1
            << QStringLiteral("igw-0aaa00000000000001")
            << QStringList { QStringLiteral("TCP 22, 443"), QString(), QString(), QStringLiteral("rule 100"),
                   QStringLiteral("in tcp 22 from 81.2.69.160/32 +1") };
    }
    void edgeLabels()
    {
        QFETCH(QString, folder);
        QFETCH(QString, target);
        QFETCH(int, hops);
        QFETCH(QString, firstStep);
        QFETCH(QStringList, labels);
        AnalysisResult other;
        if (!folder.isEmpty()) {
            const Snapshot snap = importSnapshot({ std::string(EW_TEST_DATA "/golden/") + folder.toStdString() });
            QVERIFY(!snap.hasErrors());
            other = analyze(snap);
        }
        const auto& findings = folder.isEmpty() ? m_result.findings : other.findings;
        const auto f = std::find_if(findings.begin(), findings.end(), [&](const Finding& x) {
            return x.target.name == target.toStdString() && x.protocol == "tcp" && x.hops == hops && x.path.size() > 1
                && x.path[1].name == firstStep.toStdString();
        });
        QVERIFY(f != findings.end());
        QStringList got;
        for (const auto& l : ReachabilityGraph::edgeLabels(*f))
            got << QString::fromStdString(l);
        QCOMPARE(got, labels);
    }

    // Grouped by deciding rule: the rule that admits the worst first; a finding that needs two
    // rules (two hops, or two allowing rules for different sources) is under each.
    void groupByDecidingRule()
    {
        std::vector<const Finding*> all;
        for (const auto& f : m_result.findings)
            all.push_back(&f);
        const auto groups = ew::groupByDecidingRule(all);
        QVERIFY(!groups.empty());
        std::map<std::string, const RuleGroup*> byTitle;
        for (std::size_t i = 0; i < groups.size(); ++i) {
            byTitle[groups[i].title()] = &groups[i];
            if (i)
                QVERIFY(groups[i - 1].worst >= groups[i].worst);
        }
        // allow-es-any: the five cluster nodes directly, and kibana-support from es-support-01.
        const RuleGroup* any = byTitle.at("nsg-es-cluster / allow-es-any (110)");
        QCOMPARE(any->findings.size(), std::size_t(6));
        QCOMPARE(any->targets, std::size_t(6));
        // allow-ssh-office lets the internet onto jump-01: its own finding and the six SSH hops on.
        const RuleGroup* ssh = byTitle.at("nsg-mgmt / allow-ssh-office (100)");
        QCOMPARE(ssh->findings.size(), std::size_t(7));
        for (const auto i : ssh->findings)
            QVERIFY(m_result.findings[i].target.name == "jump-01" || m_result.findings[i].hops == 2);
        std::size_t listed = 0;
        for (const auto& g : groups)
            listed += g.findings.size();
        QVERIFY(listed >= m_result.findings.size());
    }

    void groupsOfANode_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("column");
        QTest::addColumn<QStringList>("groups"); // names
        QTest::newRow("internet-in-none")
            << QStringLiteral("Internet") << int(GraphLayout::InternetColumn) << QStringList();
        QTest::newRow("frontend-in-none")
            << QStringLiteral("pip-es-01") << int(GraphLayout::FrontendColumn) << QStringList();
        QTest::newRow("data-store-in-vnet-and-subnet")
            << QStringLiteral("es-support-03") << int(GraphLayout::DataStoreColumn)
            << QStringList { QStringLiteral("vnet-support"), QStringLiteral("snet-es") };
        QTest::newRow("filter-in-its-resources-groups")
            << QStringLiteral("nsg-portal") << int(GraphLayout::FilterColumn)
            << QStringList { QStringLiteral("vnet-support"), QStringLiteral("snet-portal") };
    }
    void groupsOfANode()
    {
        QFETCH(QString, name);
        QFETCH(int, column);
        QFETCH(QStringList, groups);
        const GraphLayout l = layoutGraph(m_result.graph, m_grouping);
        const auto* n = byName(l, name.toStdString(), column);
        QVERIFY(n);
        const auto v = m_result.graph.find(n->id);
        QVERIFY(v);
        QStringList names;
        for (const auto& id : m_grouping.groupsOf(m_result.graph.graph()[*v])) {
            const auto g = std::find_if(l.groups.begin(), l.groups.end(), [&](const auto& x) { return x.id == id; });
            QVERIFY(g != l.groups.end());
            names << QString::fromStdString(g->name);
        }
        QCOMPARE(names, groups);
        // Collapsing those groups hides the node in an aggregate; they are what opens it again.
        if (groups.isEmpty())
            return;
        LayoutOptions closed;
        closed.expandByDefault = false;
        QVERIFY(layoutGraph(m_result.graph, m_grouping, closed)
                    .nodes[layoutGraph(m_result.graph, m_grouping, closed).nodeOf.at(n->id)]
                    .aggregate());
        for (const auto& id : m_grouping.groupsOf(m_result.graph.graph()[*v]))
            closed.expanded[id] = true;
        const GraphLayout opened = layoutGraph(m_result.graph, m_grouping, closed);
        QVERIFY(!opened.nodes[opened.nodeOf.at(n->id)].aggregate());
    }
};

QTEST_GUILESS_MAIN(TestGraphLayout)
#include "tst_graphlayout.moc"
