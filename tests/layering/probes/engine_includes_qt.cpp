// Must not compile: the engine never sees Qt.
#include <QObject>
