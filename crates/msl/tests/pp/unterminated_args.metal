#define F(a, b) a + b
int x = F(1,
          (2, 3);
