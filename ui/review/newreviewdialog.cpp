#include "newreviewdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace ew::ui {

NewReviewDialog::NewReviewDialog(const QString& what, const QString& title, const QString& reviewer, QWidget* parent)
    : QDialog(parent)
    , m_title(new QLineEdit(title, this))
    , m_reviewer(new QLineEdit(reviewer, this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("newReviewDialog"));
    setWindowTitle(tr("New review"));
    auto* form = new QFormLayout(this);
    auto* intro = new QLabel(tr("A new review of %1. The title and the reviewer appear on the report's cover and "
                                "in the review file.")
                                 .arg(what.toHtmlEscaped()),
        this);
    intro->setWordWrap(true);
    form->addRow(intro);
    m_title->setObjectName(QStringLiteral("newReviewTitle"));
    m_title->setMinimumWidth(320);
    m_title->selectAll();
    m_reviewer->setObjectName(QStringLiteral("newReviewReviewer"));
    m_reviewer->setPlaceholderText(tr("Your name or e-mail address"));
    form->addRow(tr("&Title:"), m_title);
    form->addRow(tr("&Reviewer:"), m_reviewer);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Open"));
    form->addRow(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

QString NewReviewDialog::title() const
{
    return m_title->text().trimmed();
}

QString NewReviewDialog::reviewer() const
{
    return m_reviewer->text().trimmed();
}

} // namespace ew::ui
