// libxml2's HTML parser, for checking merchant templates. Debian's libxml2 pulls in the system
// ICU headers, which clash with Foundation's own ICU module: xmlversion.h comes first so that the
// #undef below turns ICU off before any other libxml2 header reads it.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/SAX2.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

/// xmlFree is a global function pointer, which Swift 6 will not read from concurrent code.
static inline void waymark_xml_free(void *pointer) { xmlFree(pointer); }
