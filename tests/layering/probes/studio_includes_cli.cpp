// Must not compile: the studio shares code with the CLI through app/session and app/bridge, never app/cli.
#include "app/cli/Command.h"
