#define HELPER(x) (x * 10)
int helper_decl_line = __LINE__; const constant char* helper_file = __FILE__;
