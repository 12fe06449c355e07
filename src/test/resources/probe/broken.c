/* does not compile: exercises the "cannot build" path of BuiltTool */
int main(void) { return missing_symbol_isobench; }
