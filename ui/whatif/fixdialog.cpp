#include "fixdialog.h"
#include "htmltext.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTextBrowser>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace ew::ui {

FixDialog::FixDialog(const QString& findingTitle, std::vector<FixProposal> proposals, QWidget* parent)
    : QDialog(parent)
    , m_proposals(std::move(proposals))
{
    setWindowTitle(tr("Smallest Fix"));
    resize(900, 520);
    auto* heading = new QLabel(m_proposals.empty()
            ? tr("<b>%1</b><br>No NSG rule change addresses this finding (it is decided by a load balancer or a "
                 "service firewall, or by default rules only).")
                  .arg(findingTitle.toHtmlEscaped())
            : tr("<b>%1</b><br>Rule changes that close or narrow it, best first (closes it, breaks least, changes "
                 "least else). Each was tried on the analysis and undone.")
                  .arg(findingTitle.toHtmlEscaped()),
        this);
    heading->setWordWrap(true);
    m_list = new QTreeWidget(this);
    m_list->setHeaderLabels({ tr("Change"), tr("Effect on this finding"), tr("Breaks") });
    m_list->setRootIsDecorated(false);
    for (const auto& p : m_proposals) {
        auto* item = new QTreeWidgetItem(m_list);
        item->setText(0, QString::fromStdString(p.title));
        item->setText(1, p.closesFinding ? tr("closes it") : tr("leaves %1").arg(QString::fromStdString(p.remaining)));
        item->setText(
            2, p.breaks.empty() ? tr("nothing") : tr("%n flow(s)", nullptr, static_cast<int>(p.breaks.size())));
        item->setToolTip(0, item->text(0));
    }
    m_list->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_list->header()->setStretchLastSection(false);
    m_list->setColumnWidth(1, 260);
    m_details = new QTextBrowser(this);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_list);
    split->addWidget(m_details);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto* tryIt = buttons->addButton(tr("Try as What-If"), QDialogButtonBox::AcceptRole);
    tryIt->setEnabled(!m_proposals.empty());
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &FixDialog::showDetails);
    connect(m_list, &QTreeWidget::itemDoubleClicked, this, &QDialog::accept);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);
    if (!m_proposals.empty())
        m_list->setCurrentItem(m_list->topLevelItem(0));
}

int FixDialog::chosen() const
{
    return m_list->currentItem() ? m_list->indexOfTopLevelItem(m_list->currentItem()) : -1;
}

void FixDialog::showDetails()
{
    const int i = chosen();
    if (i < 0)
        return;
    const auto& p = m_proposals[static_cast<std::size_t>(i)];
    QString html = QStringLiteral("<p><b>%1</b></p>").arg(esc(p.title));
    html += p.closesFinding ? tr("<p>Closes the finding.</p>")
                            : tr("<p>Leaves the finding at %1.</p>").arg(esc(p.remaining));
    html += tr("<p>Closes %1 finding(s), narrows %2 other(s), opens %3.</p>")
                .arg(p.closes.size())
                .arg(p.narrows.size())
                .arg(p.opens.size());
    if (!p.stillThrough.empty())
        html += tr("<p><b>Still reachable through a foothold:</b> %1 two-hop finding(s) keep part of what it "
                   "removes exposed.</p>")
                    .arg(p.stillThrough.size());
    if (p.breaks.empty())
        html += tr("<p>Stops no traffic that is allowed today apart from internet exposure.</p>");
    else {
        html += tr("<p><b>Would stop traffic allowed today:</b></p><ul>");
        for (const auto& b : p.breaks)
            html += QStringLiteral("<li>%1</li>").arg(esc(b));
        html += QStringLiteral("</ul>");
    }
    m_details->setHtml(html);
}

} // namespace ew::ui
