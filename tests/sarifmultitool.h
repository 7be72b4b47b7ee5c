#pragma once

// Microsoft's SARIF Multitool for the tests that check every SARIF the tool writes: its `validate`
// must report no error and no warning. Found, in this order, at $EW_SARIF_MULTITOOL, as
// sarif-multitool or Sarif.Multitool on the PATH, or where
// `npm install --prefix ../tools @microsoft/sarif-multitool-linux` (beside the checkout) puts it.
// Tests QSKIP when it is not installed.

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStandardPaths>
#include <QStringList>
#include <QTemporaryDir>

namespace ew::test {

inline QString sarifMultitool()
{
    const QString fromEnvironment = qEnvironmentVariable("EW_SARIF_MULTITOOL");
    if (!fromEnvironment.isEmpty())
        return QFileInfo(fromEnvironment).isExecutable() ? fromEnvironment : QString();
    for (const auto* name : { "sarif-multitool", "Sarif.Multitool" }) {
        const QString onPath = QStandardPaths::findExecutable(QLatin1String(name));
        if (!onPath.isEmpty())
            return onPath;
    }
    // The npm package's own binary: its bin.js wrapper passes arguments through a shell.
    const QString npm = QStringLiteral(EW_TOOLS "/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    return QFileInfo(npm).isExecutable() ? npm : QString();
}

// Runs `validate` on one SARIF file. Returns the errors and warnings it reports, one line each
// ("SARIF1004 error: runs[0].results[0]...: Error_..."), or sets *failure when it could not run.
inline QStringList sarifProblems(const QString& multitool, const QString& sarifFile, QString* failure)
{
    QTemporaryDir dir;
    const QString log = dir.filePath(QStringLiteral("validation.sarif"));
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOTNET_CLI_TELEMETRY_OPTOUT"), QStringLiteral("1"));
    if (!env.contains(QStringLiteral("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT")))
        env.insert(QStringLiteral("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"), QStringLiteral("1"));
    p.setProcessEnvironment(env);
    p.start(multitool,
        { QStringLiteral("validate"), sarifFile, QStringLiteral("--output"), log, QStringLiteral("--log"),
            QStringLiteral("ForceOverwrite") });
    if (!p.waitForFinished(300000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
        *failure = QStringLiteral("%1 validate: exit %2: %3")
                       .arg(multitool)
                       .arg(p.exitCode())
                       .arg(QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError()));
        return {};
    }
    QFile f(log);
    if (!f.open(QIODevice::ReadOnly)) {
        *failure = QStringLiteral("the Multitool wrote no log");
        return {};
    }
    QStringList problems;
    const QJsonArray runs = QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("runs")).toArray();
    for (const auto& runValue : runs) {
        const QJsonObject run = runValue.toObject();
        QMap<QString, QString> defaultLevel;
        const QJsonArray rules = run.value(QStringLiteral("tool"))
                                     .toObject()
                                     .value(QStringLiteral("driver"))
                                     .toObject()
                                     .value(QStringLiteral("rules"))
                                     .toArray();
        for (const auto& rule : rules)
            defaultLevel.insert(rule.toObject().value(QStringLiteral("id")).toString(),
                rule.toObject()
                    .value(QStringLiteral("defaultConfiguration"))
                    .toObject()
                    .value(QStringLiteral("level"))
                    .toString());
        for (const auto& resultValue : run.value(QStringLiteral("results")).toArray()) {
            const QJsonObject result = resultValue.toObject();
            const QString ruleId = result.value(QStringLiteral("ruleId")).toString();
            // SARIF 3.27.10: the result's level, else the rule's default, else "warning".
            QString level = result.value(QStringLiteral("level")).toString();
            if (level.isEmpty())
                level = defaultLevel.value(ruleId);
            if (level.isEmpty())
                level = QStringLiteral("warning");
            if (level != QLatin1String("error") && level != QLatin1String("warning"))
                continue;
            const QJsonObject message = result.value(QStringLiteral("message")).toObject();
            QStringList arguments;
            for (const auto& a : message.value(QStringLiteral("arguments")).toArray())
                arguments << a.toString();
            problems << ruleId + QLatin1Char(' ') + level + QStringLiteral(": ")
                    + message.value(QStringLiteral("id")).toString() + QStringLiteral(" (")
                    + arguments.join(QStringLiteral(", ")) + QLatin1Char(')');
        }
    }
    return problems;
}

} // namespace ew::test
