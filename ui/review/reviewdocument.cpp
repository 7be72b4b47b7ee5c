#include "reviewdocument.h"

#include "diff/series.h"
#include "report/savefile.h"

#include <QCryptographicHash>
#include <QDate>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUndoStack>

namespace ew::ui {

namespace {
std::string nowUtc()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
}

// Reads and parses a review file; on failure error lists every problem with file and location.
bool readReviewFile(const QString& fileName, Review& out, QString* error)
{
    QFile f(fileName);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = ReviewDocument::tr("%1: cannot open: %2").arg(fileName, f.errorString());
        return false;
    }
    const QByteArray bytes = f.readAll();
    std::vector<Diagnostic> diags;
    if (parseReview(std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size())), fileName.toStdString(),
            out, diags))
        return true;
    QStringList lines;
    for (const auto& d : diags)
        lines << QString::fromStdString(d.toString());
    *error = lines.join(QLatin1Char('\n'));
    return false;
}
} // namespace

ReviewDocument::ReviewDocument(QObject* parent)
    : QObject(parent)
    , m_undo(new QUndoStack(this))
{
    connect(m_undo, &QUndoStack::cleanChanged, this, [this]() { updateModified(); });
}

ReviewDocument::~ReviewDocument() = default;

void ReviewDocument::updateModified()
{
    const bool m = isModified();
    if (m != m_lastModified) {
        m_lastModified = m;
        Q_EMIT modifiedChanged(m);
    }
}

bool ReviewDocument::isModified() const
{
    return m_dirty || !m_undo->isClean();
}

QString ReviewDocument::displayName() const
{
    if (!m_fileName.isEmpty())
        return QFileInfo(m_fileName).fileName();
    if (!m_review.title.empty())
        return QString::fromStdString(m_review.title);
    if (!m_inputs.isEmpty())
        return tr("Untitled review of %1").arg(QFileInfo(m_inputs.front()).fileName());
    return tr("Untitled review");
}

QString ReviewDocument::snapshotName(const QStringList& inputs)
{
    if (inputs.isEmpty())
        return {};
    if (const auto label = labelOfInput(inputs.front().toStdString()))
        return QString::fromStdString(label->date);
    return QFileInfo(inputs.front()).fileName();
}

QString ReviewDocument::baseDir() const
{
    if (!m_fileName.isEmpty())
        return QFileInfo(m_fileName).absolutePath();
    if (!m_inputs.isEmpty())
        return QFileInfo(m_inputs.front()).absolutePath();
    return QDir::currentPath();
}

void ReviewDocument::reset(const QStringList& inputs, const QString& title, const QString& reviewer)
{
    m_undo->clear();
    m_review = Review();
    m_review.created = nowUtc();
    m_review.title = title.trimmed().toStdString();
    m_review.reviewer = reviewer.trimmed().toStdString();
    m_fileName.clear();
    setInputs(inputs);
    m_dirty = false;
    Q_EMIT fileNameChanged(m_fileName);
    updateModified();
}

bool ReviewDocument::load(const QString& fileName, QString* error)
{
    Review r;
    if (!readReviewFile(fileName, r, error))
        return false;
    m_undo->clear();
    m_review = std::move(r);
    m_fileName = QFileInfo(fileName).absoluteFilePath();
    const QDir dir = QFileInfo(m_fileName).absoluteDir();
    m_inputs.clear();
    for (const auto& in : m_review.inputs)
        m_inputs << QDir::cleanPath(dir.absoluteFilePath(QString::fromStdString(in)));
    m_data.reset();
    m_baseData.reset();
    m_dirty = false;
    Q_EMIT fileNameChanged(m_fileName);
    updateModified();
    return true;
}

std::vector<std::string> ReviewDocument::relativeInputs() const
{
    const QDir dir(baseDir());
    std::vector<std::string> out;
    for (const auto& in : m_inputs) {
        const QString rel = dir.relativeFilePath(in);
        out.push_back((rel.startsWith(QLatin1String("..")) ? in : rel).toStdString());
    }
    return out;
}

void ReviewDocument::stampIdentity()
{
    m_review.inputs = relativeInputs();
    // The identity of what was actually analysed, relative to where the review is saved.
    if (m_data)
        m_review.files = snapshotIdentity(m_data->snapshot.files, baseDir().toStdString());
}

bool ReviewDocument::save(const QString& fileName, QString* error)
{
    const QString previous = m_fileName;
    const QString previousRecovery = recoveryFileName();
    m_fileName = QFileInfo(fileName).absoluteFilePath();
    stampIdentity();
    recordCurrentSnapshot();
    if (m_review.created.empty())
        m_review.created = nowUtc();
    m_review.modified = nowUtc();
    const std::string text = serialiseReview(m_review);
    SaveFile out(m_fileName); // a full disk fails here and leaves the old review (savefile.h)
    if (!out.open(QIODevice::WriteOnly) || out.write(text.data(), static_cast<qint64>(text.size())) < 0
        || !out.commit()) {
        *error = tr("%1: cannot save: %2").arg(m_fileName, out.errorString());
        m_fileName = previous;
        return false;
    }
    QFile::remove(previousRecovery);
    removeRecovery();
    m_dirty = false;
    m_undo->setClean();
    if (previous != m_fileName)
        Q_EMIT fileNameChanged(m_fileName);
    updateModified();
    return true;
}

void ReviewDocument::setAnalysis(std::shared_ptr<const AnalysisData> data, bool whatIf)
{
    if (!whatIf)
        m_baseData = data;
    m_data = std::move(data);
    Q_EMIT analysisChanged();
}

ReviewedSnapshot ReviewDocument::currentSnapshot() const
{
    ReviewedSnapshot s;
    s.inputs = relativeInputs();
    // The date the snapshot was taken when its folder says (exposure-snapshot.json), else today.
    if (!m_inputs.isEmpty())
        if (const auto label = labelOfInput(m_inputs.front().toStdString())) {
            s.date = label->date;
            s.label = label->label;
        }
    if (s.date.empty())
        s.date = QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate).toStdString();
    if (m_baseData)
        for (const auto& f : m_baseData->result.findings)
            s.findings[f.id] = severityName(f.severity);
    return s;
}

void ReviewDocument::recordCurrentSnapshot()
{
    if (!m_baseData)
        return;
    ReviewedSnapshot now = currentSnapshot();
    if (!m_review.history.empty() && m_review.history.back().inputs == now.inputs)
        m_review.history.back() = std::move(now);
    else
        m_review.history.push_back(std::move(now));
}

void ReviewDocument::setInputs(const QStringList& inputs)
{
    m_inputs.clear();
    for (const auto& i : inputs)
        m_inputs.push_back(QFileInfo(i).absoluteFilePath());
    m_data.reset(); // analysed again from the new inputs
    m_baseData.reset();
}

void ReviewDocument::openNewSnapshot(const QStringList& inputs)
{
    recordCurrentSnapshot();
    setInputs(inputs);
    m_dirty = true;
    updateModified();
}

std::vector<ReviewedSnapshot> ReviewDocument::timeline() const
{
    std::vector<ReviewedSnapshot> out = m_review.history;
    if (m_baseData) {
        ReviewedSnapshot now = currentSnapshot();
        if (!out.empty() && out.back().inputs == now.inputs)
            out.back() = std::move(now);
        else
            out.push_back(std::move(now));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.date < b.date; });
    return out;
}

QStringList ReviewDocument::previousSnapshotInputs(QStringList* missing) const
{
    const std::vector<std::string> now = relativeInputs(); // not currentSnapshot(): no findings needed
    const QDir dir(baseDir());
    for (std::size_t i = m_review.history.size(); i-- > 0;) {
        const ReviewedSnapshot& earlier = m_review.history[i];
        if (earlier.inputs.empty() || earlier.inputs == now)
            continue;
        QStringList out;
        for (const auto& in : earlier.inputs) {
            out << QDir::cleanPath(dir.absoluteFilePath(QString::fromStdString(in)));
            if (missing && !QFileInfo::exists(out.back()))
                *missing << out.back();
        }
        return out;
    }
    return {};
}

const Scenario* ReviewDocument::scenario() const
{
    return m_review.scenarios.empty() ? nullptr : &m_review.scenarios.back();
}

void ReviewDocument::appendWhatIfEdit(const WhatIfEdit& edit)
{
    if (m_review.scenarios.empty())
        m_review.scenarios.push_back(
            { tr("What-if %1").arg(QDate::currentDate().toString(Qt::ISODate)).toStdString(), {} });
    m_review.scenarios.back().edits.push_back(edit);
}

void ReviewDocument::removeLastWhatIfEdit()
{
    if (!m_review.scenarios.empty() && !m_review.scenarios.back().edits.empty())
        m_review.scenarios.back().edits.pop_back();
}

void ReviewDocument::setScenarioName(const QString& name)
{
    if (m_review.scenarios.empty())
        m_review.scenarios.push_back({ name.toStdString(), {} });
    else
        m_review.scenarios.back().name = name.toStdString();
    m_dirty = true;
    updateModified();
}

QStringList ReviewDocument::identityChanges() const
{
    QStringList out;
    if (!m_data || m_review.files.empty())
        return out;
    for (const auto& s : compareIdentity(m_review.files, m_data->identity))
        out << QString::fromStdString(s);
    return out;
}

Decision ReviewDocument::decision(const std::string& findingId) const
{
    auto it = m_review.decisions.find(findingId);
    // As it holds today: an accepted risk past its expiry is open again.
    return it == m_review.decisions.end()
        ? Decision()
        : effectiveDecision(it->second, QDate::currentDate().toString(Qt::ISODate).toStdString());
}

std::vector<std::pair<std::string, Decision>> ReviewDocument::orphanDecisions() const
{
    std::vector<std::pair<std::string, Decision>> out;
    for (const auto& [id, d] : m_review.decisions)
        if (!m_data || !m_data->findingIndex.count(id))
            out.emplace_back(id, d);
    return out;
}

void ReviewDocument::applyDecisions(const std::map<std::string, Decision>& decisions)
{
    QStringList ids;
    for (const auto& [id, d] : decisions) {
        if (d.isDefault())
            m_review.decisions.erase(id);
        else
            m_review.decisions[id] = d;
        ids << QString::fromStdString(id);
    }
    Q_EMIT decisionsChanged(ids);
}

void ReviewDocument::applyDataStore(const std::string& resourceId, const std::optional<std::string>& engine)
{
    if (engine)
        m_review.dataStores[resourceId] = *engine;
    else
        m_review.dataStores.erase(resourceId);
    Q_EMIT dataStoresChanged();
}

void ReviewDocument::setTitle(const QString& title)
{
    m_review.title = title.toStdString();
    m_dirty = true;
    updateModified();
}

QString ReviewDocument::recoveryFileName() const
{
    const QString dir
        = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QLatin1String("/recovery");
    const QString key = m_fileName.isEmpty() ? m_inputs.join(QLatin1Char('|')) : m_fileName;
    const QByteArray hash = QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    return dir + QLatin1Char('/') + QString::fromLatin1(hash) + QLatin1String(".review.json");
}

bool ReviewDocument::writeRecovery(QString* error) const
{
    Review copy = m_review;
    const QDir dir(baseDir());
    copy.inputs.clear();
    for (const auto& in : m_inputs)
        copy.inputs.push_back(in.toStdString()); // absolute: the recovery file lives elsewhere
    copy.modified = nowUtc();
    const QString name = recoveryFileName();
    QDir().mkpath(QFileInfo(name).absolutePath());
    const std::string text = serialiseReview(copy);
    SaveFile out(name);
    if (!out.open(QIODevice::WriteOnly) || out.write(text.data(), static_cast<qint64>(text.size())) < 0
        || !out.commit()) {
        if (error)
            *error = tr("%1: cannot write the recovery file: %2").arg(name, out.errorString());
        return false;
    }
    return true;
}

void ReviewDocument::removeRecovery() const
{
    QFile::remove(recoveryFileName());
}

bool ReviewDocument::hasNewerRecovery() const
{
    const QFileInfo recovery(recoveryFileName());
    if (!recovery.exists())
        return false;
    return m_fileName.isEmpty() || recovery.lastModified() > QFileInfo(m_fileName).lastModified();
}

bool ReviewDocument::restoreRecovery(QString* error)
{
    Review r;
    if (!readReviewFile(recoveryFileName(), r, error))
        return false;
    m_undo->clear();
    m_review.decisions = std::move(r.decisions);
    m_review.dataStores = std::move(r.dataStores);
    m_review.title = r.title;
    m_dirty = true;
    updateModified();
    QStringList ids;
    for (const auto& [id, d] : m_review.decisions)
        ids << QString::fromStdString(id);
    Q_EMIT decisionsChanged(ids);
    Q_EMIT dataStoresChanged();
    return true;
}

} // namespace ew::ui
