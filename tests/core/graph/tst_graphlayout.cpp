#include "findings/analyzer.h"
#include "graph/graphlayout.h"
#include "import/azureimporter.h"

#include <QTest>

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
};

QTEST_GUILESS_MAIN(TestGraphLayout)
#include "tst_graphlayout.moc"
