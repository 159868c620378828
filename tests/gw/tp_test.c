/* tp_test - being written (issue 4) */
int main(void)
{
	return 77;
}
