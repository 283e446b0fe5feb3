#include "app/studio/Session.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace xwam::studio {

QString Session::save(const QString& path) const {
  const QDir base = QFileInfo(path).absoluteDir();
  auto relative = [&](const QString& p) {
    if (p.isEmpty()) return p;
    const QString rel = base.relativeFilePath(p);
    return rel.startsWith("..") ? QFileInfo(p).absoluteFilePath() : rel;
  };
  QJsonObject j{{"version", 1},
                {"scene", QFileInfo(scene).absoluteFilePath()},
                {"episode", episode},
                {"frame", frame},
                {"instruction", instruction},
                {"checkpoint", checkpoint},
                {"mode", mode},
                {"steps_action", steps_action},
                {"steps_video", steps_video},
                {"seed", QString::number(seed)},
                {"start_frame", start_frame},
                {"rollout_dir", relative(rollout_dir)},
                {"window", QJsonObject{{"geometry", QString::fromLatin1(window_geometry.toBase64())},
                                       {"state", QString::fromLatin1(window_state.toBase64())}}}};
  QSaveFile out(path);
  if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(j).toJson()) < 0 || !out.commit())
    return QObject::tr("%1: cannot write the session (%2)").arg(path, out.errorString());
  return {};
}

Session Session::load(const QString& path, QString* error) {
  Session s;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    *error = QObject::tr("%1: cannot open the session file").arg(path);
    return s;
  }
  QJsonParseError parse;
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
  if (!doc.isObject()) {
    *error = QObject::tr("%1: not a session file (%2)").arg(path, parse.errorString());
    return s;
  }
  const QJsonObject j = doc.object();
  if (j.value("version").toInt() != 1 || !j.value("scene").isString()) {
    *error = QObject::tr("%1: not a session file (key \"version\" 1 and \"scene\" expected)").arg(path);
    return s;
  }
  const QDir base = QFileInfo(path).absoluteDir();
  auto absolute = [&](const QString& p) { return p.isEmpty() ? p : QDir::cleanPath(base.absoluteFilePath(p)); };
  s.scene = absolute(j.value("scene").toString());
  s.episode = j.value("episode").toInt();
  s.frame = j.value("frame").toInt();
  s.instruction = j.value("instruction").toString();
  s.checkpoint = j.value("checkpoint").toString();
  s.mode = j.value("mode").toString("xwam");
  s.steps_action = j.value("steps_action").toInt(10);
  s.steps_video = j.value("steps_video").toInt(50);
  s.seed = j.value("seed").toString().toULongLong();
  s.start_frame = j.value("start_frame").toInt();
  s.rollout_dir = absolute(j.value("rollout_dir").toString());
  const QJsonObject w = j.value("window").toObject();
  s.window_geometry = QByteArray::fromBase64(w.value("geometry").toString().toLatin1());
  s.window_state = QByteArray::fromBase64(w.value("state").toString().toLatin1());
  error->clear();
  return s;
}

}  // namespace xwam::studio
